from django.http import JsonResponse
from django.urls import path

urlpatterns = [path("items/<int:item_id>", lambda request, item_id: JsonResponse({"id": item_id}))]
