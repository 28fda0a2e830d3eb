"""Test-only URLconf for live servers: Papyrus plus views that fail or take their time."""
import time

from django.http import JsonResponse
from django.urls import path

from papyrus.urls import handler400, handler403, handler404, handler500  # noqa: F401 - JSON errors
from papyrus.urls import urlpatterns as papyrus_urlpatterns


def boom(request):
    raise RuntimeError("boom (test view)")


def slow(request):
    time.sleep(float(request.GET.get("s", "1")))
    return JsonResponse({"slept": True})


urlpatterns = [
    *papyrus_urlpatterns,
    path("test/boom", boom),
    path("test/slow", slow),
]
