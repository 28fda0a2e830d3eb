"""DB statement duration, Celery task signals; the app without Papyrus."""
import os
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.db.utils import ProgrammingError

from ops.metrics import metrics
from tests.support.standalone import run_standalone

ROOT = Path(__file__).resolve().parents[3]


def sample(name: str, **labels) -> float:
    """A sample of one of our series, read from its own metric (REGISTRY.collect() would also
    run other apps' collectors, some of which query the database)."""
    m = metrics.get()
    for family in (m.db_query_duration, m.db_query_errors, m.celery_task_runs,
                   m.celery_task_failures, m.celery_task_duration):
        for metric in family.collect():
            for s in metric.samples:
                if s.name == name and s.labels == labels:
                    return s.value
    return 0.0


@pytest.mark.django_db
def test_database_statements_are_timed_and_failures_counted():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # connection set-up statements happen before we count
        count = sample("papyrus_db_query_duration_seconds_count", alias="default")
        total = sample("papyrus_db_query_duration_seconds_sum", alias="default")
        errors = sample("papyrus_db_query_errors_total", alias="default")
        cursor.execute("SELECT pg_sleep(0.02)")
        # >=: other threads of the test process may query too
        assert sample("papyrus_db_query_duration_seconds_count", alias="default") >= count + 1
        assert sample("papyrus_db_query_duration_seconds_sum", alias="default") - total >= 0.02
        with pytest.raises(ProgrammingError):
            cursor.execute("SELECT * FROM no_such_table_for_metrics")
    assert sample("papyrus_db_query_errors_total", alias="default") == errors + 1


def test_celery_task_runs_failures_and_duration_are_recorded():
    app = Celery("ops-metrics-test", set_as_current=False)

    @app.task(name="metrics_test.ok")
    def ok():
        return 1

    @app.task(name="metrics_test.broken")
    def broken():
        raise ValueError("nope")

    runs = sample("papyrus_celery_task_runs_total", task="metrics_test.ok")
    ok.apply()
    ok.apply()
    broken.apply()
    assert sample("papyrus_celery_task_runs_total", task="metrics_test.ok") == runs + 2
    assert sample("papyrus_celery_task_failures_total", task="metrics_test.ok") == 0
    assert sample("papyrus_celery_task_failures_total", task="metrics_test.broken") >= 1
    assert sample("papyrus_celery_task_duration_seconds_count", task="metrics_test.ok") >= 2


STANDALONE = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("check", fail_level="ERROR")
c = Client()
for i in (1, 2):
    assert c.get(f"/items/{i}").status_code == 200
assert c.get("/metrics").status_code == 401
r = c.get("/metrics", HTTP_AUTHORIZATION="Bearer standalone-token")
assert r.status_code == 200, r.status_code
body = r.content.decode()
line = 'http_requests_total{method="GET",route="/items/{item_id}",status="200"} 2.0'
assert line in body, body[:2000]
import sys
assert not [m for m in sys.modules if m.startswith(("papyrus", "backups_app"))], "ops.metrics imported Papyrus"
"""


def test_the_app_installs_in_a_project_without_papyrus():
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env["DJANGO_SETTINGS_MODULE"] = "tests.ops.metrics.settings"
    run_standalone(STANDALONE, env=env, timeout=120)


def test_ops_metrics_never_imports_papyrus_or_backups():
    for path in (ROOT / "ops" / "metrics").rglob("*.py"):
        text = path.read_text()
        assert "import papyrus" not in text and "from papyrus" not in text, path
        assert "backups_app" not in text, path
