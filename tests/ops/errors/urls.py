"""Test-only views: an API view and a plain view that raise, and one that enqueues the failing task."""
import logging

from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.response import Response

from papyrus.urls import urlpatterns as papyrus_urlpatterns

from .tasks import fail

logger = logging.getLogger("tests.ops.errors")


@api_view(["POST"])
def api_boom(request):
    data = request.data
    logger.error("login failed password=%s", data.get("password"))
    raise RuntimeError("api view failed on purpose")


def plain_boom(request):
    logger.warning("Authorization was %s", request.META.get("HTTP_AUTHORIZATION"))
    raise RuntimeError("plain view failed on purpose")


@api_view(["POST"])
def enqueue(request):
    fail.apply_async(kwargs={"token": request.data["token"]}, queue=request.data["queue"])
    return Response({"queued": True}, status=202)


urlpatterns = [
    path("test/boom", api_boom),
    path("test/boom-plain", plain_boom),
    path("test/enqueue", enqueue),
    *papyrus_urlpatterns,
]
