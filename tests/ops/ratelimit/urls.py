"""A tiny URLconf for middleware tests: nothing of Papyrus."""
from django.http import JsonResponse
from django.urls import path


def thing(request):
    return JsonResponse({"method": request.method}, status=201 if request.method == "POST" else 200)


urlpatterns = [
    path("api/things", thing),
    path("api/search", thing),
    path("api/auth/login", thing),
    path("health", thing),
]
