"""One small base for health checks, and the runner that bounds them in time."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import connections

from . import conf

logger = logging.getLogger("ops.health")


class CheckFailed(Exception):
    """A dependency is down; the message is shown to the caller, so it must hold no secret."""


class HealthCheck:
    """Subclasses set `name` and implement run(): return a short detail or None, raise when down."""

    name = ""
    timeout: float | None = None  # seconds; None = HEALTH_TIMEOUT

    def run(self) -> str | None:
        raise NotImplementedError

    def budget(self) -> float:
        return self.timeout if self.timeout is not None else conf.timeout()

    def result(self) -> dict:
        """{"status": "up"|"down", "ms": elapsed[, "detail"|"error": text]}, never raising."""
        started = time.perf_counter()
        try:
            detail = self.run()
            outcome = {"status": "up"}
            if detail:
                outcome["detail"] = detail
        except CheckFailed as exc:
            outcome = {"status": "down", "error": str(exc)}
        except Exception:  # noqa: BLE001 - any failure means down; details go to the log only
            logger.warning("health check %s failed", self.name, exc_info=True)
            outcome = {"status": "down", "error": "unavailable"}
        return {"status": outcome.pop("status"), "ms": round((time.perf_counter() - started) * 1000, 1), **outcome}


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    # One bounded pool per process: a hung dependency holds at most max_threads threads.
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=conf.max_threads(), thread_name_prefix="ops-health")
        return _pool


def _result_in_pool(check: HealthCheck) -> dict:
    try:
        return check.result()
    finally:
        # A pool thread's ORM connection would outlive the check and go stale across an outage.
        connections.close_all()


def run_checks(checks) -> dict[str, dict]:
    """Run `checks` concurrently; a check past its budget is reported down without waiting for it."""
    started = time.monotonic()
    pending = [(check, check.budget(), _executor().submit(_result_in_pool, check)) for check in checks]
    results = {}
    for check, budget, future in pending:
        try:
            results[check.name] = future.result(timeout=max(0.0, started + budget - time.monotonic()))
        except FutureTimeout:
            future.cancel()
            results[check.name] = {"status": "down", "ms": round((time.monotonic() - started) * 1000, 1),
                                   "error": f"no answer within {budget:g}s"}
    return results
