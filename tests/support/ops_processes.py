"""Old import paths for the ops logging/errors/health tests (the kit: tests.support.celery, .wait)."""
from __future__ import annotations

from pathlib import Path

from tests.support.celery import CeleryWorker
from tests.support.live import BIN, ROOT, Process  # noqa: F401 - Process is re-exported to the tests
from tests.support.wait import wait_until  # noqa: F401 - the old import path of the one wait helper


def celery_worker(env: dict, log: Path, *, queue: str, include: str = "") -> Process:
    """The old starter (no ping wait): tests.support.celery.CeleryWorker consuming only `queue`."""
    return CeleryWorker(env=env, log=log, queue=queue, include=include or None, name="ops").start(wait=False)
