from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backups_app"
    label = "backups_app"
    verbose_name = "Backups"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
        from .metrics import register_default
        from .pitr import checks as _pitr_checks  # noqa: F401
        from .pitr.metrics import register_default as register_pitr

        register_default()
        register_pitr()
