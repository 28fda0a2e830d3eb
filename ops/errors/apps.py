from django.apps import AppConfig


class ErrorsConfig(AppConfig):
    name = "ops.errors"
    label = "ops_errors"
    verbose_name = "Error tracking"

    def ready(self):
        from . import checks, sentry  # noqa: F401 - registers checks

        # Every process that sets Django up (web workers, Celery worker and beat, manage.py)
        # passes here once, after the final settings are known and before any request or task.
        sentry.init_sentry()
