"""Issue 28: a port `make run` needs that another program holds — its own (PORT), PostgreSQL's
(PG_PORT) or Redis's (REDIS_PORT) — ends it with one line naming the variable, not a traceback."""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile

import pytest

from tests.support.live import ROOT


def make_run(env: dict) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([sys.executable, "-m", "scripts.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGTERM)  # it went on starting: stop what it started
        out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("variable, started_here", [
    ("PORT", None),
    ("PG_PORT", "DATABASE_URL"),
    ("REDIS_PORT", "REDIS_URL"),
])
def test_a_taken_port_gets_a_one_line_hint(tmp_path, variable, started_here):
    """`started_here`: the URL left unset, so that make run starts that service itself."""
    var = tempfile.mkdtemp(prefix="papyrus-ports-", dir=os.environ.get("PAPYRUS_TEST_TMP"))
    os.chmod(var, 0o755)  # the postgres user reaches its data directory under it
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {k: v for k, v in os.environ.items()
               if k not in ("DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR", started_here)}
        env.update({"PAPYRUS_VAR": var, "LOG_DIR": str(tmp_path / "logs"), variable: str(port)})
        if variable != "PORT":
            with socket.socket() as probe:  # make run's own port: free, so the one taken is the one named
                probe.bind(("127.0.0.1", 0))
                env["PORT"] = str(probe.getsockname()[1])

        done = make_run(env)

    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.fullmatch(rf"\w+: port {port} is already in use \(set {variable}=\.\.\.\)\n", done.stderr), done.stderr
    assert "Serving" not in done.stdout and "serving" not in done.stdout
