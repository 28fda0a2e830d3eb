"""5-field cron strings → celery crontab, with a message naming the field that is wrong.

Plain values only (no Django settings): settings modules import it to build beat entries.
"""
from celery.schedules import crontab, crontab_parser

# (name, max_, min_) as celery's crontab_parser takes them, in cron order.
FIELDS = (
    ("minute", 60, 0),
    ("hour", 24, 0),
    ("day-of-month", 31, 1),
    ("month", 12, 1),
    ("day-of-week", 7, 0),
)


class InvalidCron(ValueError):
    """Not a 5-field cron expression celery understands."""


def parse_cron(expression: str) -> crontab:
    """`"0 2 * * *"` → crontab; raise InvalidCron saying which field is wrong."""
    fields = str(expression or "").split()
    if len(fields) != 5:
        names = " ".join(name for name, _, _ in FIELDS)
        raise InvalidCron(f"{expression!r} has {len(fields)} fields; expected 5 ({names})")
    for value, (name, max_, min_) in zip(fields, FIELDS):
        try:
            crontab_parser(max_, min_).parse(value)
        except Exception as exc:  # celery raises ValueError or its own ParseException
            raise InvalidCron(f"{expression!r}: bad {name} field {value!r} ({exc})") from exc
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(minute=minute, hour=hour, day_of_month=day_of_month,
                       month_of_year=month_of_year, day_of_week=day_of_week)
    except Exception as exc:  # e.g. 31 February: every field fine, the combination never occurs
        raise InvalidCron(f"{expression!r}: {exc}") from exc
