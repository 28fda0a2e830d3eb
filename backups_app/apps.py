from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backups_app"
    label = "backups_app"
    verbose_name = "Backups"

    def ready(self):
        from django.core.checks import Tags, register

        from . import checks
        from .metrics import register_default
        from .pitr import checks as pitr_checks
        from .pitr.metrics import register_default as register_pitr

        for check in (checks.check_schedules, checks.check_storage, checks.check_encryption, pitr_checks.check_pitr):
            register(check, "backups")
        register(pitr_checks.check_archiving, Tags.database)

        register_default()
        register_pitr()
