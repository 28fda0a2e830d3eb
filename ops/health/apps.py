from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "ops.health"
    label = "ops_health"
    verbose_name = "Health checks"

    def ready(self):
        from . import checks  # noqa: F401 - registers system checks
        from .heartbeat import connect_signals

        connect_signals()  # a Celery worker writes the heartbeat the celery check reads
