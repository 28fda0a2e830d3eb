from django.apps import AppConfig


class ChecklistConfig(AppConfig):
    name = "ops.checklist"
    label = "ops_checklist"
    verbose_name = "Operations checklist"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
