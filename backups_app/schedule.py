"""Celery beat entries for backups, built from plain values (imported by settings; no Django here)."""
from celery.schedules import crontab

CREATE_TASK = "backups_app.tasks.scheduled_backup"
DRILL_TASK = "backups_app.tasks.scheduled_drill"


class InvalidCron(ValueError):
    """The string is not a 5-field cron expression celery understands."""


def parse_cron(expression: str) -> crontab:
    """`"0 2 * * *"` → crontab(minute="0", hour="2", ...); raise InvalidCron on anything else."""
    fields = str(expression or "").split()
    if len(fields) != 5:
        raise InvalidCron(f"expected 5 cron fields (minute hour day month weekday), got {expression!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        schedule = crontab(minute=minute, hour=hour, day_of_month=day_of_month,
                           month_of_year=month_of_year, day_of_week=day_of_week)
    except Exception as exc:  # celery raises ValueError or its own ParseException
        raise InvalidCron(f"invalid cron expression {expression!r}: {exc}") from exc
    return schedule


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
