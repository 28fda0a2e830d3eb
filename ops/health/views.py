"""/health (every dependency), /health/ready (what serving needs), /health/live (the process)."""
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import View

from . import conf
from .base import run_checks

STARTED = time.monotonic()


def uptime() -> float:
    return round(time.monotonic() - STARTED, 1)


def report(checks) -> tuple[dict, bool]:
    """The health document for `checks` and whether every one is up."""
    results = run_checks(checks)
    failing = [name for name, result in results.items() if result["status"] != "up"]
    body = {"status": "degraded" if failing else "healthy", "version": conf.version(),
            "revision": conf.revision(), "uptimeSeconds": uptime(), "checks": results}
    if failing:
        body["failing"] = failing
    return body, not failing


def _never_cached(response):
    add_never_cache_headers(response)
    return response


class CachedReport:
    """The last report of one list of checks, refreshed by one thread at a time when stale.

    A request that has a previous answer to give waits at most HEALTH_WAIT_SECONDS for the
    refresh, then gives that answer while the refresh finishes in the background: a hung
    dependency holds a refresh thread for its timeout, never a serving worker.
    """

    def __init__(self, checks):
        self.checks = checks
        self.lock = threading.Lock()
        self.at, self.body, self.healthy = float("-inf"), None, False
        self.pending: Future | None = None

    def _refresh(self) -> None:
        try:
            body, healthy = report(self.checks)
            with self.lock:
                self.body, self.healthy, self.at = body, healthy, time.monotonic()
        finally:
            with self.lock:
                self.pending = None

    def get(self) -> tuple[dict, bool]:
        with self.lock:
            if time.monotonic() - self.at < conf.cache_seconds() and self.body is not None:
                return self.body, self.healthy
            if self.pending is None:
                self.pending = _refresher().submit(self._refresh)
            pending, previous = self.pending, self.body
        try:
            pending.result(timeout=None if previous is None else conf.wait_seconds())
        except FutureTimeout:
            pass  # still running: the previous answer now, the new one to a later request
        with self.lock:
            return self.body, self.healthy


_refreshers: dict[int, ThreadPoolExecutor] = {}


def _refresher() -> ThreadPoolExecutor:
    pid = os.getpid()  # a forked server worker must not submit to its parent's (absent) threads
    if pid not in _refreshers:
        _refreshers[pid] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health-refresh")
    return _refreshers[pid]


_reports: dict[int, CachedReport] = {}


class HealthView(View):
    """200 when every listed check is up, else 503 with the failing checks named.

    A result is reused for HEALTH_CACHE_SECONDS within a process, and one request at a time
    runs the checks: probes and load tests hitting /health many times a second must not turn
    into as many broker pings and database round trips.
    """

    checks = ()
    http_method_names = ["get", "head"]

    def get(self, request):
        cached = _reports.get(id(self.checks)) or _reports.setdefault(id(self.checks), CachedReport(self.checks))
        body, healthy = cached.get()
        return _never_cached(JsonResponse({**body, "uptimeSeconds": uptime()}, status=200 if healthy else 503))


def live(request):
    """The process answers; no dependency is touched."""
    return _never_cached(JsonResponse({"status": "healthy", "uptimeSeconds": uptime()}))
