"""Maintenance mode, metrics, freshness, schedule parsing and system checks."""
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from backups_app import checks, keys, maintenance, metrics, schedule, selectors, tasks
from backups_app.models import Backup
from ops.cron import InvalidCron, parse_cron


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.BACKUP_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:8]}:"
    yield
    maintenance.set_maintenance(False)


@pytest.mark.django_db
def test_writes_get_503_with_retry_after_while_reads_keep_working(signed_in):
    maintenance.set_maintenance(True, ttl=30)
    write = signed_in.post("/api/pages", {"title": "During restore", "content": "x"}, format="json")
    assert write.status_code == 503
    assert write["Retry-After"] == "60" and "restoring" in write.json()["message"]
    assert APIClient().get("/api/pages").status_code == 200
    # backup endpoints stay reachable (a second restore is refused by the lock, not by maintenance)
    assert signed_in.post("/api/admin/backup", {}, format="json").status_code == 403
    maintenance.set_maintenance(False)
    assert signed_in.post("/api/pages", {"title": "After", "content": "x"}, format="json").status_code == 201


@pytest.mark.django_db
def test_scheduled_jobs_do_nothing_unless_enabled_and_skip_while_a_restore_holds_the_site(settings, caplog):
    settings.BACKUP_ENABLED = False
    tasks.scheduled_backup()
    tasks.scheduled_drill()
    assert not Backup.objects.exists()

    settings.BACKUP_ENABLED = True
    maintenance.set_maintenance(True, ttl=30)
    with caplog.at_level("WARNING", logger="backups_app.tasks"):
        tasks.scheduled_backup()
        tasks.scheduled_drill()
    assert not Backup.objects.exists()
    skipped = [r.getMessage() for r in caplog.records if r.name == "backups_app.tasks"]
    assert skipped == ["backups: scheduled backup skipped, a restore is running",
                       "backups: scheduled drill skipped, a restore is running"]


def test_maintenance_expires_when_its_holder_dies(settings):
    maintenance.set_maintenance(True, ttl=1)
    assert 0 < keys.client().pttl(settings.BACKUP_REDIS_PREFIX + "maintenance") <= 1000


def _scrape(settings) -> str:
    registry = CollectorRegistry()
    registry.register(metrics.BackupCollector())
    return generate_latest(registry).decode()


def _samples(text: str) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.mark.django_db
def test_metrics_report_the_newest_success_and_drill(settings):
    settings.PROMETHEUS_PREFIX = "papyrus_"
    finished = timezone.now() - timedelta(hours=1)
    Backup.objects.create(name="backup_2026-01-01_000000.sql.gz", status="success", size=1234,
                          duration_seconds=2.5, finished_at=finished, verified_at=finished,
                          drill_duration_seconds=4.0)
    Backup.objects.create(name="backup_2026-01-02_000000.sql.gz", status="failed")
    metrics.record_failure("create")
    values = _samples(_scrape(settings))
    assert values[("papyrus_backup_last_success_timestamp_seconds", ())] == pytest.approx(finished.timestamp())
    assert values[("papyrus_backup_last_verified_timestamp_seconds", ())] == pytest.approx(finished.timestamp())
    assert values[("papyrus_backup_size_bytes", ())] == 1234
    assert values[("papyrus_backup_duration_seconds", ())] == 2.5
    assert values[("papyrus_backup_restore_duration_seconds", ())] == 4.0
    assert values[("papyrus_backup_failures_total", (("operation", "create"),))] == 1
    assert values[("papyrus_backup_failures_total", (("operation", "drill"),))] == 0


@pytest.mark.django_db
def test_metrics_use_the_configured_prefix(settings):
    settings.PROMETHEUS_PREFIX = "wiki_"
    assert "wiki_backup_size_bytes" in _scrape(settings)


@pytest.mark.django_db
def test_freshness_for_health_checks(settings):
    settings.BACKUP_ENABLED = False
    assert selectors.backup_freshness()["status"] == "disabled"
    settings.BACKUP_ENABLED = True
    assert selectors.backup_freshness()["status"] == "down"  # enabled, never backed up
    Backup.objects.create(name="backup_2026-01-01_000000.sql.gz", status="success",
                          finished_at=timezone.now() - timedelta(hours=2))
    fresh = selectors.backup_freshness()
    assert fresh["status"] == "up" and 7000 < fresh["ageSeconds"] < 7400
    assert selectors.backup_freshness(now=timezone.now() + timedelta(days=2))["status"] == "down"
    assert selectors.last_success_timestamp() == pytest.approx((timezone.now() - timedelta(hours=2)).timestamp(), abs=60)


def test_cron_strings_become_celery_crontabs():
    assert str(parse_cron("0 2 * * *")).startswith("<crontab: 0 2 * * *")
    for bad in ("", "0 2 * *", "61 * * * *", "* * * * * *", "0 25 * * *"):
        with pytest.raises(InvalidCron):
            parse_cron(bad)
    entries = schedule.beat_schedule(schedule="*/5 * * * *", drill_schedule="0 3 1 * *")
    assert entries["backups-create"]["task"] == "backups_app.tasks.scheduled_backup"
    assert entries["backups-drill"]["task"] == "backups_app.tasks.scheduled_drill"


def test_system_checks_flag_bad_schedules(settings):
    settings.BACKUP_SCHEDULE = "every night"
    settings.BACKUP_DRILL_SCHEDULE = "0 3 1 * *"
    assert [e.id for e in checks.check_schedules()] == ["backups_app.E001"]
    settings.BACKUP_SCHEDULE = "0 2 * * *"
    assert checks.check_schedules() == []
