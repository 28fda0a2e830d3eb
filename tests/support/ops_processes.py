"""Long-running children for the ops logging/errors/health tests: Celery workers, waiting helpers."""
from __future__ import annotations

import uuid
from pathlib import Path

from tests.support.live import BIN, ROOT, Process  # noqa: F401 - Process is re-exported to the tests
from tests.support.wait import wait_until  # noqa: F401 - the old import path of the one wait helper


def celery_worker(env: dict, log: Path, *, queue: str, include: str = "") -> Process:
    """`celery -A papyrus worker` (solo pool) consuming only `queue`, so other tests' tasks are left alone."""
    cmd = [str(BIN / "celery"), "-A", "papyrus", "worker", "--pool", "solo", "--loglevel", "INFO",
           "--without-gossip", "--without-mingle", "-Q", queue, "-n", f"ops-{uuid.uuid4().hex[:6]}@%h"]
    if include:
        cmd += ["-I", include]
    return Process(cmd, env=env, log=log).start()
