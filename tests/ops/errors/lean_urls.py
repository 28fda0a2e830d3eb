"""Views for the lean-path test: one that leaves traces on the Sentry scope, one that raises, one that queries."""
import sentry_sdk
from django.db import connection
from django.http import JsonResponse
from django.urls import path


def noisy(request):
    sentry_sdk.set_tag("leaky", "from-an-earlier-request")
    sentry_sdk.add_breadcrumb(message="breadcrumb of an earlier request")
    return JsonResponse({"ok": True})


def boom(request, item_id):
    raise RuntimeError("lean boom")


def query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


urlpatterns = [
    path("noisy", noisy),
    path("items/<int:item_id>/boom", boom),
    path("query", query),
    path("health/live", query),
]
