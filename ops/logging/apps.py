from django.apps import AppConfig
from django.core.checks import register

# Importing celery connects its Celery signals: at import, as a project's celery.py may load it
# before Django is set up (see ops/logging/celery.py).
from . import celery, checks  # noqa: F401


class LoggingConfig(AppConfig):
    name = "ops.logging"
    label = "ops_logging"
    verbose_name = "Structured logging"

    def ready(self):
        register(checks.check_logging_settings)
