"""Celery beat entries for backups, built from plain values (imported by settings; no Django settings here)."""
from ops.cron import beat_entries

from .conf import DEFAULTS

CREATE_TASK = "backups_app.tasks.scheduled_backup"
DRILL_TASK = "backups_app.tasks.scheduled_drill"
SETTLE_TASK = "backups_app.tasks.settle_interrupted"


def beat_schedule(*, schedule: str | None = None, drill_schedule: str | None = None,
                  settle_seconds: float | None = None) -> dict:
    """CELERY_BEAT_SCHEDULE entries: create (+cleanup), the restore drill, and settling after a
    killed create/restore (every `settle_seconds`; see services.settle_if_interrupted). None: the
    default of BACKUP_SCHEDULE, BACKUP_DRILL_SCHEDULE, BACKUP_SETTLE_INTERVAL (conf.DEFAULTS).

    Always present: the tasks themselves do nothing unless BACKUP_ENABLED (read when they run, so a
    settings module overriding BACKUP_ENABLED after base.py is honoured). An invalid cron string
    yields no entry here; the system checks backups_app.E001/E002 report it.
    """
    schedule = schedule or DEFAULTS["BACKUP_SCHEDULE"]
    drill_schedule = drill_schedule or DEFAULTS["BACKUP_DRILL_SCHEDULE"]
    settle_seconds = float(settle_seconds or DEFAULTS["BACKUP_SETTLE_INTERVAL"])
    # Not gated by BACKUP_ENABLED: restores run whatever the schedule, and so can die.
    return {"backups-settle": {"task": SETTLE_TASK, "schedule": settle_seconds},
            **beat_entries({"backups-create": (CREATE_TASK, schedule), "backups-drill": (DRILL_TASK, drill_schedule)})}
