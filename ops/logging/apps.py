from django.apps import AppConfig


class LoggingConfig(AppConfig):
    name = "ops.logging"
    label = "ops_logging"
    verbose_name = "Structured logging"

    def ready(self):
        from django.core.checks import register

        from . import celery, checks  # noqa: F401 - celery connects the Celery signals

        register(checks.check_logging_settings)
