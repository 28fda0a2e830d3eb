from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ops.reports"
    label = "ops_reports"
    verbose_name = "Weekly reports"

    def ready(self):
        from django.core.checks import register

        from . import checks

        register(checks.check_digest_schedules)
