"""Live Papyrus processes for tests that need real servers (several workers, two processes...).

They run against the *main* database of the throw-away cluster (DATABASE_URL as exported by
`python -m scripts.services test`), not pytest-django's test_ database, so data must be created through HTTP
or committed by the live processes themselves. `migrated_main_db` (session fixture in
tests/conftest.py) migrates it once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

from ops.metrics.multiproc import prepare_directory
from scripts.services import free_port
from tests.support.http import request
from tests.support.wait import wait_until


def stop_group(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM the child's process group; SIGKILL it when it has not exited after `timeout` s."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def pid_alive(pid: int) -> bool:
    """True while process `pid` runs (a zombie, exited but not yet reaped, is not alive)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Process:
    """A long-running child (celery worker/beat, moto server...) in its own process group."""

    def __init__(self, cmd: list[str], *, env: dict, log: Path):
        self.cmd, self.env, self.log = cmd, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        stop_group(self.proc, timeout=20)


def base_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env or base_env(),
                          check=check, capture_output=True, text=True)


class LiveServer:
    """One server process group: granian WSGI (default, the production shape) or uvicorn ASGI."""

    def __init__(self, *, workers: int = 2, interface: str = "wsgi", env: dict | None = None,
                 port: int | None = None, log: Path | None = None, args: list[str] | None = None):
        self.workers = workers
        self.interface = interface
        self.env = base_env(**(env or {}))
        self.args = list(args or [])  # extra server options, e.g. ["--respawn-failed-workers"]
        # Prometheus multiprocess mode: a directory of its own per server, wiped at start.
        self.env.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="papyrus-prom-",
                                                                          dir=os.environ.get("PAPYRUS_TEST_TMP")))
        self.port = port or free_port()
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.interface == "wsgi":
            return [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(self.port),
                    "--workers", str(self.workers), "--blocking-threads", "1", "--no-ws",
                    *self.args, "papyrus.wsgi:application"]
        return [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(self.port), "--workers",
                str(self.workers), "--no-access-log", *self.args, "papyrus.asgi:application"]

    def start(self, timeout: float = 30.0) -> LiveServer:
        prepare_directory(self.env["PROMETHEUS_MULTIPROC_DIR"])
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            wait_until(self._answers, f"the server on {self.url} to answer", timeout=timeout, interval=0.1,
                       ignore=(OSError,))
        except AssertionError:
            self.stop()
            raise
        return self

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"server exited with {self.proc.returncode}: {self.command()}")
        return request("GET", self.url + "/health/live", timeout=1).status == 200

    def stop(self) -> None:
        stop_group(self.proc)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

