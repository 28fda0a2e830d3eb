"""/health (every dependency), /health/ready (what serving needs), /health/live (the process)."""
import threading
import time

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
    """The last report of one list of checks; one caller at a time refreshes it when stale."""

    def __init__(self, checks):
        self.checks = checks
        self.lock = threading.Lock()
        self.at, self.body, self.healthy = float("-inf"), None, False

    def get(self) -> tuple[dict, bool]:
        with self.lock:
            if time.monotonic() - self.at >= conf.cache_seconds():
                self.body, self.healthy = report(self.checks)
                self.at = time.monotonic()
            return self.body, self.healthy


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
