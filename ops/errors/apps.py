from django.apps import AppConfig
from django.core.checks import register
from django.core.signals import setting_changed

from . import checks, sampling, sentry


class ErrorsConfig(AppConfig):
    name = "ops.errors"
    label = "ops_errors"
    verbose_name = "Error tracking"

    def ready(self):
        register(checks.check_sentry_settings)

        setting_changed.connect(sampling.forget_on_setting_change)

        # Every process that sets Django up (web workers, Celery worker and beat, manage.py)
        # passes here once, after the final settings are known and before any request or task.
        sentry.init_sentry()
