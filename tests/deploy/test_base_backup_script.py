"""deploy/postgres/base-backup.py (compose's pitr-base service): its schedule means what beat's does."""
import importlib.util
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from ops.cron import parse_cron
from tests.support.live import ROOT

SCRIPT = ROOT / "deploy" / "postgres" / "base-backup.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("papyrus_base_backup", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _celery_due(crontab, at: datetime) -> bool:
    return (at.minute in crontab.minute and at.hour in crontab.hour and at.month in crontab.month_of_year
            and at.day in crontab.day_of_month and (at.weekday() + 1) % 7 in crontab.day_of_week)


@pytest.mark.parametrize("expression", ["30 1 * * *", "*/15 * * * *", "0 3 * * 1-5", "5,35 */6 1 * *",
                                        "0 0 * * 0", "10-50/20 2 * 2,8 *",
                                        "0 4 1-7 * 1"])
def test_the_schedule_fires_on_the_minutes_celery_beat_would(script, expression):
    schedule, crontab = script.parse(expression), parse_cron(expression)
    minute, fired = datetime(2026, 1, 1), 0
    while minute < datetime(2027, 1, 1):  # every minute of a year
        expected = _celery_due(crontab, minute)
        assert script.due(schedule, minute) == expected, minute
        fired += expected
        minute += timedelta(minutes=1)
    assert fired > 0


def test_a_bad_schedule_is_refused(script):
    for bad in ("30 1 * *", "61 1 * * *", "0 0 0 * *", "*/0 * * * *", "0 0 * * 7"):
        with pytest.raises(ValueError):
            script.parse(bad)


def test_it_does_nothing_until_pitr_is_enabled():
    done = subprocess.run([sys.executable, str(SCRIPT), "--now"], env={"PATH": "/nonexistent",
                                                                      "BACKUP_S3_BUCKET": "b"},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and "nothing to do" in done.stdout
