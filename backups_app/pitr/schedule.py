"""Celery beat entries for PITR, from plain values (imported by settings; no Django settings here)."""
from ops.cron import beat_entries

from ..conf import DEFAULTS

BASE_TASK = "backups_app.tasks.scheduled_pitr_base_backup"
DRILL_TASK = "backups_app.tasks.scheduled_pitr_drill"


def beat_schedule(*, base_schedule: str | None = None, drill_schedule: str | None = None) -> dict:
    """Base backup (+ retention) and the PITR drill (None: the defaults of BACKUP_BASE_SCHEDULE and
    BACKUP_PITR_DRILL_SCHEDULE); the tasks do nothing unless BACKUP_PITR_ENABLED.

    An invalid cron string yields no entry; the system checks backups_app.E102/E103 report it.
    """
    base_schedule = base_schedule or DEFAULTS["BACKUP_BASE_SCHEDULE"]
    drill_schedule = drill_schedule or DEFAULTS["BACKUP_PITR_DRILL_SCHEDULE"]
    return beat_entries({"backups-pitr-base": (BASE_TASK, base_schedule),
                         "backups-pitr-drill": (DRILL_TASK, drill_schedule)})


def task_routes(*, base_queue: str) -> dict:
    """CELERY_TASK_ROUTES: the base backup on `base_queue` when one is named, else the default queue.

    barman-cloud-backup reads PGDATA's files, so the base backup must run where they are mounted
    (compose: the pitr-base service, a worker consuming only that queue); every other PITR task
    (the drill, restores) runs on any worker of the application image.
    """
    return {BASE_TASK: {"queue": base_queue}} if base_queue else {}
