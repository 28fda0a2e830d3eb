from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ops.reports"
    label = "ops_reports"
    verbose_name = "Weekly reports"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
