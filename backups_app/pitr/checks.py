"""System checks for point-in-time recovery (ids backups_app.E101..., W101...)."""
from django.core.checks import Error, Warning

from ops.cron import cron_errors

from .. import conf
from .barman import PitrError, missing_tools
from .setup import problems


def check_pitr(app_configs=None, **kwargs):
    if not conf.pitr_enabled():
        return []
    problems = []
    if not conf.s3_bucket():
        problems.append(Error("BACKUP_PITR_ENABLED is set without BACKUP_S3_BUCKET",
                              hint="WAL is archived to BACKUP_S3_BUCKET under BACKUP_PITR_PREFIX (wal/).",
                              id="backups_app.E101"))
    problems += cron_errors([("BACKUP_BASE_SCHEDULE", conf.base_schedule(), "backups_app.E102"),
                             ("BACKUP_PITR_DRILL_SCHEDULE", conf.pitr_drill_schedule(), "backups_app.E103")])

    if missing_tools():
        problems.append(Warning(f"barman-cloud is not installed here ({', '.join(missing_tools())} missing)",
                                hint="apt-get install barman-cli-cloud (scripts/install-system-deps.sh)",
                                id="backups_app.W101"))
    return problems


def check_archiving(app_configs=None, databases=None, **kwargs):
    """Archiving is expected: say so when the live server does not ship WAL to the bucket.

    A database check (run by `migrate` and `check --database default`), not on every command.
    """
    if not (databases and conf.pitr_enabled() and conf.s3_bucket()):
        return []

    try:
        found = problems()
    except PitrError as exc:
        return [Warning(f"WAL archiving is expected (BACKUP_PITR_ENABLED) but could not be checked: {exc}",
                        id="backups_app.W102")]
    if found:
        return [Warning("WAL archiving is expected (BACKUP_PITR_ENABLED) but not configured: " + "; ".join(found),
                        hint="`python manage.py backup pitr-setup` prints the settings (--apply for the local "
                             "cluster).", id="backups_app.W103")]
    return []
