"""Celery beat entries for PITR, from plain values (imported by settings; no Django settings here)."""
from ops.cron import beat_entries

from ..conf import DEFAULTS, split_queues

BASE_TASK = "backups_app.tasks.scheduled_pitr_base_backup"
DRILL_TASK = "backups_app.tasks.scheduled_pitr_drill"

# A member's copy still queued after an hour (its worker was down) is dropped: the next schedule sends another
EXPIRES = 3600


def beat_schedule(*, base_schedule: str | None = None, drill_schedule: str | None = None,
                  base_queue: str | None = None) -> dict:
    """Base backup (+ retention) and the PITR drill (None: the defaults of BACKUP_BASE_SCHEDULE and
    BACKUP_PITR_DRILL_SCHEDULE); the tasks do nothing unless BACKUP_PITR_ENABLED.

    Several base queues (a replicated cluster, one pitr-base worker beside each member): the base
    backup is sent to each of them at the same time; the copy whose database is the primary takes
    it, the standbys' copies skip (tasks.scheduled_pitr_base_backup). An invalid cron string yields
    no entry; the system checks backups_app.E102/E103 report it.
    """
    base_schedule = base_schedule or DEFAULTS["BACKUP_BASE_SCHEDULE"]
    drill_schedule = drill_schedule or DEFAULTS["BACKUP_PITR_DRILL_SCHEDULE"]
    members = split_queues(base_queue)
    entries = {"backups-pitr-drill": (DRILL_TASK, drill_schedule)}
    if len(members) > 1:
        entries.update({f"backups-pitr-base@{name}": (BASE_TASK, base_schedule) for name in members})
    else:
        entries["backups-pitr-base"] = (BASE_TASK, base_schedule)
    schedule = beat_entries(entries)
    if len(members) > 1:
        for name in members:
            entry = schedule.get(f"backups-pitr-base@{name}")
            if entry:
                entry["options"] = {"queue": name, "expires": EXPIRES}
    return schedule


def task_routes(*, base_queue: str) -> dict:
    """CELERY_TASK_ROUTES: the base backup on `base_queue` when one is named, else the default queue
    (several: beat's entries carry each member's queue; anything else sending it goes to the first).

    barman-cloud-backup reads PGDATA's files, so the base backup must run where they are mounted
    (compose: the pitr-base service, a worker consuming only that queue); every other PITR task
    (the drill, restores) runs on any worker of the application image.
    """
    members = split_queues(base_queue)
    return {BASE_TASK: {"queue": members[0]}} if members else {}
