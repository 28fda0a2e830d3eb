"""Celery beat entries for backups, built from plain values (imported by settings; no Django here)."""
from ops.cron import InvalidCron, parse_cron  # the one cron parser (Celery's crontab, names the bad field)

CREATE_TASK = "backups_app.tasks.scheduled_backup"
DRILL_TASK = "backups_app.tasks.scheduled_drill"


def beat_schedule(*, schedule: str, drill_schedule: str) -> dict:
    """CELERY_BEAT_SCHEDULE entries: create (+cleanup) and the restore drill.

    Always present: the tasks themselves do nothing unless BACKUP_ENABLED (read when they run, so a
    settings module overriding BACKUP_ENABLED after base.py is honoured). An invalid cron string
    yields no entry here; the system checks backups_app.E001/E002 report it.
    """
    entries = {}
    for key, task, cron in (("backups-create", CREATE_TASK, schedule),
                            ("backups-drill", DRILL_TASK, drill_schedule)):
        try:
            entries[key] = {"task": task, "schedule": parse_cron(cron)}
        except InvalidCron:
            continue
    return entries
