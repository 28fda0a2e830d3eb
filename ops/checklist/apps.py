from django.apps import AppConfig


class ChecklistConfig(AppConfig):
    name = "ops.checklist"
    label = "ops_checklist"
    verbose_name = "Deploy checklist"
