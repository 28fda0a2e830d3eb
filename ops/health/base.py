"""The one check contract (a small base with `run()`) and the one runner that bounds checks in time.

/health lists checks in a URLconf; `ops_check` lists them in settings. Both run them here.
"""
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
    timeout: float | None = None  # seconds; None = the runner's timeout (HEALTH_TIMEOUT by default)

    def run(self) -> str | None:
        raise NotImplementedError

    def budget(self, default: float | None = None) -> float:
        if self.timeout is not None:
            return self.timeout
        return conf.timeout() if default is None else default

    def result(self, *, explain: bool = False) -> dict:
        """{"status": "up"|"down", "ms": elapsed[, "detail"|"error": text]}, never raising.

        An unexpected exception is "unavailable" (its text may hold a secret), or with `explain`
        its type and first line, for an operator's command that scrubs its output itself.
        """
        started = time.perf_counter()
        try:
            detail = self.run()
            outcome = {"status": "up"}
            if detail:
                outcome["detail"] = detail
        except CheckFailed as exc:
            outcome = {"status": "down", "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - any failure means down
            logger.warning("health check %s failed", self.name, exc_info=True)
            outcome = {"status": "down", "error": f"{type(exc).__name__}: {first_line(exc)}" if explain
                       else "unavailable"}
        return {"status": outcome.pop("status"), "ms": round((time.perf_counter() - started) * 1000, 1), **outcome}


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    # One bounded pool per process: a hung dependency holds at most max_threads threads.
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=conf.max_threads(), thread_name_prefix="ops-health")
        return _pool


def _result_in_pool(check: HealthCheck, explain: bool) -> dict:
    try:
        return check.result(explain=explain)
    finally:
        # A pool thread's ORM connection would outlive the check and go stale across an outage.
        connections.close_all()


def run_checks(checks, *, timeout: float | None = None, explain: bool = False) -> dict[str, dict]:
    """Run `checks` concurrently, results in list order; a check past its budget (its own
    `timeout`, else `timeout`, else HEALTH_TIMEOUT) is reported down without waiting for it."""
    started = time.monotonic()
    pending = [(check, check.budget(timeout), _executor().submit(_result_in_pool, check, explain))
               for check in checks]
    results = {}
    for check, budget, future in pending:
        try:
            results[check.name] = future.result(timeout=max(0.0, started + budget - time.monotonic()))
        except FutureTimeout:
            future.cancel()
            results[check.name] = {"status": "down", "ms": round((time.monotonic() - started) * 1000, 1),
                                   "error": f"no answer within {budget:g}s"}
    return results
