from django.http import JsonResponse
from django.urls import include, path


def item(request, item_id):
    return JsonResponse({"id": item_id})


urlpatterns = [
    path("items/<int:item_id>", item),
    path("", include("ops.metrics.urls")),
]
