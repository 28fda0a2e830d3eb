"""Celery beat entries for PITR, from plain values (imported by settings; no Django settings here)."""
from ops.cron import beat_entries

BASE_TASK = "backups_app.tasks.scheduled_pitr_base_backup"
DRILL_TASK = "backups_app.tasks.scheduled_pitr_drill"


def beat_schedule(*, base_schedule: str, drill_schedule: str) -> dict:
    """Base backup (+ retention) and the PITR drill; the tasks do nothing unless BACKUP_PITR_ENABLED.

    An invalid cron string yields no entry; the system checks backups_app.E102/E103 report it.
    """
    return beat_entries({"backups-pitr-base": (BASE_TASK, base_schedule),
                         "backups-pitr-drill": (DRILL_TASK, drill_schedule)})


def task_routes(*, base_queue: str) -> dict:
    """CELERY_TASK_ROUTES: the base backup on `base_queue` when one is named, else the default queue.

    barman-cloud-backup reads PGDATA's files, so the base backup must run where they are mounted
    (compose: the pitr-base service, a worker consuming only that queue); every other PITR task
    (the drill, restores) runs on any worker of the application image.
    """
    return {BASE_TASK: {"queue": base_queue}} if base_queue else {}
