"""`python -m scripts.services test`: a SIGTERM (CI timeout, `kill`) cleans up like Ctrl-C (issue 19 item 13)."""
import os
import signal
import subprocess
import sys
from pathlib import Path

from scripts.services import port_open
from tests.support.live import ROOT, pid_alive
from tests.support.wait import wait_until

# The command under test: leaves a server-like process in a session of its own (as LiveServer
# does), reports what it got, and records whether it was interrupted like Ctrl-C.
CHILD = """
import os, pathlib, subprocess, sys, time
out = pathlib.Path(sys.argv[1])
orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
info = [os.environ["PAPYRUS_TEST_TMP"], os.environ["DATABASE_URL"], os.environ["REDIS_URL"], str(orphan.pid)]
(out / "info").write_text(" ".join(info))
try:
    time.sleep(600)
except KeyboardInterrupt:
    (out / "interrupted").write_text("yes")
"""


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def test_sigterm_stops_the_child_its_orphans_postgres_and_redis_and_removes_the_temp_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PAPYRUS_TEST_TMP")}
    # Started with SIGINT ignored, as a shell starts a background job (`make test &` in a CI script):
    # the forwarded Ctrl-C must still reach the child as one.
    proc = subprocess.Popen([sys.executable, "-m", "scripts.services", "test", "--",
                             sys.executable, "-c", CHILD, str(tmp_path)], env=env, cwd=ROOT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    info = tmp_path / "info"

    def child_info():
        assert proc.poll() is None, "scripts.services test exited before its child reported"
        fields = info.read_text().split() if info.exists() else []
        return fields if len(fields) == 4 else None  # the file is written in one call: wait for all of it

    temp_dir, database_url, redis_url, orphan = wait_until(child_info, "scripts.services test to start its child",
                                                           timeout=90, interval=0.1)
    assert port_open(_port(database_url)) and port_open(_port(redis_url)) and pid_alive(int(orphan))

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) != 0

    assert (tmp_path / "interrupted").exists(), "the child was not interrupted like Ctrl-C"
    assert not pid_alive(int(orphan)), "a process the child left in its own session still runs"
    assert not port_open(_port(database_url)), "PostgreSQL still runs"
    assert not port_open(_port(redis_url)), "Redis still runs"
    assert not Path(temp_dir).exists(), "the temporary directory was left behind"
