"""The health endpoints; whoever includes them lists the checks each one runs (django-health-check's habit).

    path("", include(health_patterns(checks=[Database(), Redis(), Celery(), MyCheck()],
                                     ready=[Database(), Redis()])))
"""
from django.urls import path

from . import views
from .probes import Celery, Database, Redis


def health_patterns(*, checks, ready):
    """/health runs `checks`, /health/ready `ready` (what serving needs), /health/live none."""
    return [
        path("health", views.HealthView.as_view(checks=checks), name="health"),
        path("health/live", views.live, name="health-live"),
        path("health/ready", views.HealthView.as_view(checks=ready), name="health-ready"),
    ]


# A project with nothing of its own to check can include this module as it is.
# Ready = can serve requests: a missing worker must not pull it from rotation.
urlpatterns = health_patterns(checks=[Database(), Redis(), Celery()], ready=[Database(), Redis()])
