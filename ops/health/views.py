"""/health (every dependency), /health/ready (what serving needs), /health/live (the process)."""
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


class HealthView(View):
    """200 when every listed check is up, else 503 with the failing checks named."""

    checks = ()
    http_method_names = ["get", "head"]

    def get(self, request):
        body, healthy = report(self.checks)
        return _never_cached(JsonResponse(body, status=200 if healthy else 503))


def live(request):
    """The process answers; no dependency is touched."""
    return _never_cached(JsonResponse({"status": "healthy", "uptimeSeconds": uptime()}))
