"""The suite's one Celery worker starter: a real `celery -A papyrus worker` process.

    worker = CeleryWorker(env={"LOG_DIR": ...}, queue="mine", log=tmp_path / "worker.log").start()
    ...
    worker.stop()

`env` holds variables over the test environment (tests.support.live.base_env): the throw-away
Redis as broker, the main database. A `queue` of its own keeps other tests' tasks away from it.
`start()` waits until this worker (by node name) answers a control ping, unless `wait=False`.
"""
from __future__ import annotations

import socket
import subprocess
import uuid
from pathlib import Path

from tests.support.live import BIN, ROOT, Process, base_env
from tests.support.wait import wait_until


class CeleryWorker(Process):
    def __init__(self, *, env: dict | None = None, log: Path | None = None, pool: str = "solo",
                 concurrency: int = 1, queue: str | None = None, include: str | None = None,
                 beat_schedule: Path | None = None, name: str = "test", loglevel: str = "INFO"):
        self.node = f"{name}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        cmd = [str(BIN / "celery"), "-A", "papyrus", "worker", "--pool", pool, "--concurrency", str(concurrency),
               "--loglevel", loglevel, "--without-gossip", "--without-mingle", "-n", self.node]
        if queue:
            cmd += ["-Q", queue]
        if include:
            cmd += ["-I", include]
        if beat_schedule:  # the worker embeds beat (one process runs the schedule and the tasks)
            cmd += ["--beat", "--schedule", str(beat_schedule)]
        super().__init__(cmd, env=base_env(**(env or {})), log=log or Path("/dev/null"))

    def start(self, *, wait: bool = True, timeout: float = 30.0) -> CeleryWorker:
        super().start()
        if wait:
            try:
                wait_until(self._answers_ping, f"celery worker {self.node} to answer a ping", timeout=timeout)
            except AssertionError:
                self.stop()
                raise
        return self

    def _answers_ping(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"celery worker {self.node} exited with {self.proc.returncode}; see {self.log}")
        ping = [str(BIN / "celery"), "-A", "papyrus", "inspect", "ping", "-d", self.node, "--timeout", "1"]
        return subprocess.run(ping, cwd=ROOT, env=self.env, capture_output=True).returncode == 0
