"""Liveness and a minimal health answer (the health issue adds the real checks)."""
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

STARTED = time.monotonic()


def live(request):
    """The process answers; no dependency is touched."""
    return JsonResponse({"status": "healthy"})


def health(request):
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = {"status": "up"}
    except Exception:  # noqa: BLE001 - any failure means "down"
        database = {"status": "down"}
    database["ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = database["status"] == "up"
    body = {
        "status": "healthy" if healthy else "degraded",
        "version": getattr(settings, "VERSION", ""),
        "uptimeSeconds": round(time.monotonic() - STARTED, 1),
        "checks": {"database": database},
    }
    return JsonResponse(body, status=200 if healthy else 503)
