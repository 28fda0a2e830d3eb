"""The check runner and the checks that need no extra service."""
import os
import time

import pytest
from django.test import override_settings

from ops.health.base import CheckFailed, HealthCheck, run_checks
from ops.health.probes import Backups, Database, Storage
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


def test_storage_needs_a_writable_backup_dir(tmp_path):
    with override_settings(BACKUP_DIR=str(tmp_path / "backups")):
        assert Storage().result()["status"] == "up"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with override_settings(BACKUP_DIR=str(blocker / "backups")):
        result = Storage().result()
        assert result["status"] == "down" and result["error"] == "backup directory not writable"


def test_backups_must_be_fresh_only_when_enabled(tmp_path):
    with override_settings(BACKUP_ENABLED=False, BACKUP_DIR=str(tmp_path)):
        assert Backups().result()["detail"] == "disabled"
    with override_settings(BACKUP_ENABLED=True, BACKUP_DIR=str(tmp_path), HEALTH_BACKUP_MAX_AGE=3600,
                           HEALTH_BACKUP_LAST_SUCCESS="ops.health.probes.newest_backup_file"):
        assert Backups().result()["error"] == "no successful backup yet"
        backup = tmp_path / "backup_2026-01-01_020000.sql.gz"
        backup.write_bytes(b"")
        os.utime(backup, (time.time() - 7200, time.time() - 7200))
        assert Backups().result()["error"] == "last backup 2.0 h ago (limit 1 h)"
        os.utime(backup, None)
        assert Backups().result()["status"] == "up"


def recent_backup():
    return time.time() - 60


def test_backups_read_the_last_success_through_the_configured_callable():
    with override_settings(BACKUP_ENABLED=True,
                           HEALTH_BACKUP_LAST_SUCCESS="tests.ops.health.test_checks.recent_backup"):
        result = Backups().result()
    assert result["status"] == "up" and result["detail"] == "last backup 0.0 h ago"


def test_check_failed_message_is_shown():
    class Down(HealthCheck):
        name = "down"

        def run(self):
            raise CheckFailed("no worker answered")

    assert Down().result()["error"] == "no worker answered"


def test_system_checks(settings):
    from ops.health.checks import check_health_settings

    settings.HEALTH_TIMEOUT, settings.HEALTH_BACKUP_LAST_SUCCESS = 0, "nowhere.at_all"
    assert [e.id for e in check_health_settings()] == ["ops_health.E001", "ops_health.E002"]


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


def test_storage_writes_a_probe_to_the_storages_alias_and_fails_when_it_cannot(tmp_path, moto_s3):
    import boto3

    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing-secret", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=moto_s3, **creds).create_bucket(Bucket="health-probe")
    s3 = {"BACKEND": "storages.backends.s3.S3Storage",
          "OPTIONS": {"bucket_name": "health-probe", "endpoint_url": moto_s3, "access_key": "testing",
                      "secret_key": "testing-secret", "region_name": "us-east-1"}}
    with override_settings(BACKUP_DIR=str(tmp_path), HEALTH_STORAGE_ALIAS="offsite",
                           STORAGES={"offsite": s3}):
        assert Storage().result()["detail"] == "directory and bucket writable"
    missing = {**s3, "OPTIONS": {**s3["OPTIONS"], "bucket_name": "no-such-bucket"}}
    with override_settings(BACKUP_DIR=str(tmp_path), HEALTH_STORAGE_ALIAS="offsite",
                           STORAGES={"offsite": missing}):
        result = Storage().result()
        assert result["status"] == "down" and result["error"] == "backup bucket not writable"
