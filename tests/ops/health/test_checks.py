"""The check runner and the checks that need no extra service."""
import time

import pytest
from django.test import override_settings

from ops.health.base import CheckFailed, HealthCheck, run_checks
from ops.health.probes import Database, Redis, probe_directory
from ops.health.views import report


class Hung(HealthCheck):
    name = "hung"
    timeout = 0.3

    def run(self):
        time.sleep(5)


class Broken(HealthCheck):
    name = "broken"

    def run(self):
        raise RuntimeError("connect postgres://u:secret@db failed")


class Fine(HealthCheck):
    name = "fine"

    def run(self):
        return "all good"


def test_a_hung_check_is_reported_down_at_its_timeout_while_others_answer():
    results = run_checks([Hung(), Fine(), Broken()])
    assert results["hung"]["status"] == "down" and results["hung"]["error"] == "no answer within 0.3s"
    assert results["hung"]["ms"] < 300 + 1000
    assert results["fine"] == {"status": "up", "ms": results["fine"]["ms"], "detail": "all good"}
    # An unexpected error is reported without its message (it may hold a secret).
    assert results["broken"]["error"] == "unavailable"


def test_report_names_failing_checks_and_carries_version_revision_uptime():
    body, healthy = report([Fine(), Broken()])
    assert not healthy and body["status"] == "degraded" and body["failing"] == ["broken"]
    assert set(body) >= {"version", "revision", "uptimeSeconds", "checks"}
    body, healthy = report([Fine()])
    assert healthy and body["status"] == "healthy" and "failing" not in body


@pytest.mark.django_db
def test_database_check_is_up_on_the_test_database():
    assert Database().result()["status"] == "up"


def test_check_failed_message_is_shown():
    class Down(HealthCheck):
        name = "down"

        def run(self):
            raise CheckFailed("no worker answered")

    assert Down().result()["error"] == "no worker answered"


def test_system_checks(settings):
    from ops.health.checks import check_health_settings

    settings.HEALTH_TIMEOUT = 0
    assert [e.id for e in check_health_settings()] == ["ops_health.E001"]


def test_probe_directory_creates_the_directory_and_refuses_one_under_a_file(tmp_path):
    assert probe_directory(tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []  # the probe file is gone
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OSError):
        probe_directory(blocker / "logs")


def test_redis_without_a_django_redis_cache_uses_redis_url_with_password_and_db(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REDIS_URL, settings.REDIS_PASSWORD, settings.REDIS_DB = "redis://127.0.0.1:1/0", "pw-123456", "3"
    kwargs = Redis().client().connection_pool.connection_kwargs

    assert (kwargs["port"], kwargs["password"], kwargs["db"]) == (1, "pw-123456", 3)
    assert Redis().where() == "redis://127.0.0.1:1/0"
    assert Redis().result()["error"] == "redis unavailable"  # nothing listens on port 1


class Counting(HealthCheck):
    name = "counting"
    runs = 0

    def run(self):
        Counting.runs += 1
        return f"run {Counting.runs}"


@pytest.mark.parametrize("seconds, expected_runs", [(60, 1), (0, 3)])
def test_a_process_reuses_its_last_result_for_health_cache_seconds(rf, seconds, expected_runs):
    from ops.health.views import HealthView

    Counting.runs = 0
    view = HealthView.as_view(checks=[Counting()])
    with override_settings(HEALTH_CACHE_SECONDS=seconds):
        answers = [view(rf.get("/health")) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert Counting.runs == expected_runs
