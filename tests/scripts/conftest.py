"""`make run` itself (`python -m scripts.run`: nginx → granian + uvicorn, Celery) against the test cluster."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from tests.support.http import request
from tests.support.live import ROOT, free_port
from tests.support.wait import wait_until


SERVING = b"Papyrus is serving http://127.0.0.1:"
# Asked the moment "serving" is printed: what a user's first clicks would get.
FIRST_CLICKS = ("/health/ready", "/api/pages")


class MakeRun:
    def __init__(self, var: Path, port: int, proc: subprocess.Popen, env: dict):
        self.var, self.port, self.proc, self.env = var, port, proc, env
        self.url = f"http://127.0.0.1:{port}"
        self.first_answers: dict[str, int | str] = {}
        self.serving = threading.Event()

    def copy_output(self, log) -> None:
        """Copies make run's output to `log`; answers FIRST_CLICKS as soon as the serving line comes."""
        for line in self.proc.stdout:
            log.write(line)
            log.flush()
            if line.startswith(SERVING) and not self.serving.is_set():
                for path in FIRST_CLICKS:
                    try:
                        self.first_answers[path] = request("GET", self.url + path, timeout=10).status
                    except OSError as exc:
                        self.first_answers[path] = repr(exc)
                self.serving.set()


def stop(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGTERM)  # run.py stops its process groups (and says so on failure)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def make_run(migrated_main_db):
    """The stack `make run` serves, on a free port with its var/ in a temp dir. Rate limiting
    is off (one client sends hundreds of requests); everything else is make run's default."""
    var = Path(tempfile.mkdtemp(prefix="papyrus-makerun-", dir=os.environ.get("PAPYRUS_TEST_TMP")))
    os.chmod(var, 0o755)  # nginx workers (nobody) traverse it to their temp dirs
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "JWT_SECRET", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(PORT=str(port), PAPYRUS_VAR=str(var), STATIC_ROOT=str(var / "static"), LOG_DIR=str(var / "logs"),
               BACKUP_DIR=str(var / "backups"), RATE_LIMIT_ENABLED="false")
    log = open(var / "run.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "scripts.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    stack = MakeRun(var, port, proc, env)
    threading.Thread(target=stack.copy_output, args=(log,), daemon=True).start()

    def serving():
        if proc.poll() is not None:
            raise AssertionError(f"make run exited with {proc.returncode}:\n{(var / 'run.log').read_text()[-3000:]}")
        return stack.serving.is_set()

    try:
        wait_until(serving, "make run to say it is serving", timeout=180, interval=0.3)
    except AssertionError:
        stop(proc)
        log.close()
        raise
    yield stack
    stop(proc)
    log.close()
    shutil.rmtree(var, ignore_errors=True)
