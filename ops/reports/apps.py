from django.apps import AppConfig
from django.core.checks import register

from . import checks


class ReportsConfig(AppConfig):
    name = "ops.reports"
    label = "ops_reports"
    verbose_name = "Weekly reports"

    def ready(self):
        register(checks.check_digest_schedules)
