"""5-field cron strings parsed by Celery's own crontab (ops.cron, the project's one parser)."""
from datetime import datetime, timezone

import pytest
from celery.schedules import crontab

from ops.cron import InvalidCron, parse_cron

SATURDAY = datetime(2026, 1, 3, 10, 7, tzinfo=timezone.utc)


def next_run(schedule, after):
    last_run_at, delta, _ = schedule.remaining_delta(after)
    return last_run_at + delta


@pytest.mark.parametrize("cron, expected", [
    ("0 2 * * *", datetime(2026, 1, 4, 2, 0, tzinfo=timezone.utc)),
    ("*/15 9-17 * * mon-fri", datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)),  # skips the weekend
    ("30 3 1 * *", datetime(2026, 2, 1, 3, 30, tzinfo=timezone.utc)),
    ("0 0 * * 0", datetime(2026, 1, 4, 0, 0, tzinfo=timezone.utc)),  # 0 is Sunday
    ("5 4 * 2 *", datetime(2026, 2, 1, 4, 5, tzinfo=timezone.utc)),
])
def test_valid_crons_run_when_cron_would(cron, expected):
    schedule = parse_cron(cron)

    assert isinstance(schedule, crontab)
    assert next_run(schedule, SATURDAY) == expected


@pytest.mark.parametrize("cron, why", [
    ("0 2 * *", "has 4 fields"),
    ("61 2 * * *", "bad minute field '61'"),
    ("0 24 * * *", "bad hour field '24'"),
    ("0 2 32 * *", "bad day-of-month field '32'"),
    ("0 2 * 13 *", "bad month field '13'"),
    ("0 2 * * 8", "bad day-of-week field '8'"),
    ("a b c d e", "bad minute field 'a'"),  # the first bad field, in cron order
    ("*/0 * * * *", "bad minute field '\\*/0'"),
    ("0 2 31 2 *", "never occurs"),
    ("", "has 0 fields"),
])
def test_invalid_crons_name_the_problem(cron, why):
    with pytest.raises(InvalidCron, match=why):
        parse_cron(cron)
