"""5-field cron strings → Celery's own `crontab`, with a message naming the field that is wrong.

Celery parses and validates (`crontab`'s ranges, names, step syntax); this module only splits the
string the way cron does and, when Celery refuses it, asks Celery about each field alone to say
which one. Plain values only (no Django settings): settings modules import it for beat entries.
Apps build their beat entries with `beat_entries` and check their cron settings with `cron_errors`.
"""
from celery.schedules import crontab
from django.core.checks import Error

CRON_HINT = 'Use 5 fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *".'

# crontab's keyword for each field, in cron order, with the name a message uses.
FIELDS = (
    ("minute", "minute"),
    ("hour", "hour"),
    ("day_of_month", "day-of-month"),
    ("month_of_year", "month"),
    ("day_of_week", "day-of-week"),
)


class InvalidCron(ValueError):
    """Not a 5-field cron expression Celery understands."""


def parse_cron(expression: str) -> crontab:
    """`"0 2 * * *"` → crontab; raise InvalidCron saying which field is wrong."""
    fields = str(expression or "").split()
    if len(fields) != len(FIELDS):
        names = " ".join(label for _, label in FIELDS)
        raise InvalidCron(f"{expression!r} has {len(fields)} fields; expected 5 ({names})")
    spec = {keyword: value for (keyword, _), value in zip(FIELDS, fields)}
    for keyword, label in FIELDS:  # Celery's own message, for the first field it refuses alone
        try:
            crontab(**{keyword: spec[keyword]})
        except Exception as exc:  # Celery raises ValueError or its parser's ParseException
            raise InvalidCron(f"{expression!r}: bad {label} field {spec[keyword]!r} ({exc})") from exc
    try:
        return crontab(**spec)
    except ValueError as exc:  # every field fine, the combination never occurs (31 February)
        raise InvalidCron(f"{expression!r}: {exc}") from exc


def beat_entries(entries: dict[str, tuple[str, str]]) -> dict:
    """{beat entry name: (task, cron)} → CELERY_BEAT_SCHEDULE entries, merged into a site's schedule.

    An invalid cron yields no entry: the app's system check (cron_errors) says which and why.
    """
    schedule = {}
    for key, (task, cron) in entries.items():
        try:
            schedule[key] = {"task": task, "schedule": parse_cron(cron)}
        except InvalidCron:
            continue
    return schedule


def cron_errors(schedules, *, hint: str = CRON_HINT) -> list[Error]:
    """The system check of an app's cron settings: [(setting, value, check id)] → an Error per invalid one."""
    errors = []
    for setting, value, check_id in schedules:
        try:
            parse_cron(value)
        except InvalidCron as exc:
            errors.append(Error(f"{setting} is not a valid cron string: {exc}", hint=hint, obj=setting, id=check_id))
    return errors
