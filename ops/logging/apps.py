from django.apps import AppConfig


class LoggingConfig(AppConfig):
    name = "ops.logging"
    label = "ops_logging"
    verbose_name = "Structured logging"

    def ready(self):
        from . import celery, checks  # noqa: F401 - connects Celery signals, registers checks
