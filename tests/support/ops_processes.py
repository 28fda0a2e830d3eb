"""Long-running children for the ops logging/errors/health tests: Celery workers, waiting helpers."""
from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from tests.support.live import BIN, ROOT


class Process:
    """A child in its own process group, stopped with SIGTERM (SIGKILL after 20 s)."""

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
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def celery_worker(env: dict, log: Path, *, queue: str, include: str = "") -> Process:
    """`celery -A papyrus worker` (solo pool) consuming only `queue`, so other tests' tasks are left alone."""
    cmd = [str(BIN / "celery"), "-A", "papyrus", "worker", "--pool", "solo", "--loglevel", "INFO",
           "--without-gossip", "--without-mingle", "-Q", queue, "-n", f"ops-{uuid.uuid4().hex[:6]}@%h"]
    if include:
        cmd += ["-I", include]
    return Process(cmd, env=env, log=log).start()


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value (returned); fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)
