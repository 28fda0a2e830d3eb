from django.apps import AppConfig
from django.core.checks import register

from . import checks
from .heartbeat import connect_signals


class HealthConfig(AppConfig):
    name = "ops.health"
    label = "ops_health"
    verbose_name = "Health checks"

    def ready(self):
        register(checks.check_health_settings)

        connect_signals()  # a Celery worker writes the heartbeat the celery check reads
