from django.apps import AppConfig
from django.core.checks import Tags, register

from . import checks
from .pitr import checks as pitr_checks


class BackupsConfig(AppConfig):
    name = "backups_app"
    label = "backups_app"
    verbose_name = "Backups"

    def ready(self):
        # The collectors read the Backup table: imported once the app registry is ready.
        from .metrics import register_default  # noqa: PLC0415
        from .pitr.metrics import register_default as register_pitr  # noqa: PLC0415

        for check in (checks.check_schedules, checks.check_storage, checks.check_encryption, pitr_checks.check_pitr):
            register(check, "backups")
        register(pitr_checks.check_archiving, Tags.database)

        register_default()
        register_pitr()
