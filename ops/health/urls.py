"""The checks each endpoint runs, listed here on purpose (STYLE.md habit 5)."""
from django.urls import path

from . import views
from .probes import Backups, Celery, Database, Redis, Storage

urlpatterns = [
    path("health", views.HealthView.as_view(checks=[Database(), Redis(), Celery(), Storage(), Backups()]),
         name="health"),
    path("health/live", views.live, name="health-live"),
    # Ready = can serve requests: a missing worker or an old backup must not pull it from rotation.
    path("health/ready", views.HealthView.as_view(checks=[Database(), Redis()]), name="health-ready"),
]
