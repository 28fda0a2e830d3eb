"""PITR pieces that need no cluster: time parsing, settings checks, archiver state, beat entries."""
from datetime import datetime, timezone

import pytest

from backups_app.pitr import barman, checks, metrics, recover, schedule, setup
from backups_app.pitr.barman import PitrError

from .. import support


def test_target_needs_iso_8601_with_a_zone():
    assert recover.parse_target("2026-12-01T10:15:30Z") == datetime(2026, 12, 1, 10, 15, 30, tzinfo=timezone.utc)
    assert recover.parse_target("2026-12-01T12:15:30+02:00").hour == 10
    with pytest.raises(PitrError, match="no time zone"):
        recover.parse_target("2026-12-01T10:15:30")
    with pytest.raises(PitrError, match="not an ISO 8601"):
        recover.parse_target("yesterday")
    assert recover._pg_time(recover.parse_target("2026-12-01T10:15:30.5Z")) == "2026-12-01 10:15:30.500000+00"


def test_checks_when_pitr_is_expected(settings):
    settings.BACKUP_PITR_ENABLED = False
    assert checks.check_pitr() == []
    settings.BACKUP_PITR_ENABLED = True
    support.no_s3(settings)
    settings.BACKUP_BASE_SCHEDULE = "every night"
    ids = {p.id for p in checks.check_pitr()}
    assert {"backups_app.E101", "backups_app.E102"} <= ids
    assert checks.check_archiving(databases=None) == []  # a database check: only with --database


def test_archive_command_names_the_bucket_prefix_and_no_secret(settings):
    support.use_s3(settings, bucket="bkt", endpoint_url="http://127.0.0.1:9000", access_key="key-id",
                   secret_key="very-secret", region="eu-west-1")
    command = setup.settings(credentials_file="/var/pg/pitr/aws-credentials")["archive_command"]
    assert "s3://bkt/wal papyrus %p" in command and "--endpoint-url http://127.0.0.1:9000" in command
    assert "AWS_SHARED_CREDENTIALS_FILE=/var/pg/pitr/aws-credentials" in command
    assert "very-secret" not in command and "very-secret" not in setup.instructions()


class FakeCursor:
    def __init__(self, row):
        self.row = row

    def execute(self, sql):
        pass

    def fetchone(self):
        return self.row


def test_archive_age_is_zero_when_nothing_waits_and_grows_when_written_wal_waits():
    now = datetime.now(timezone.utc).timestamp()
    idle = metrics.archiver_state(FakeCursor((now - 3600, "000000010000000000000008", 0,
                                              "000000010000000000000008", now - 7200)))
    assert idle["age"] == 0 and not idle["waiting"]
    waiting = metrics.archiver_state(FakeCursor((now - 600, "000000010000000000000008", 3,
                                                 "00000001000000000000000A", now - 7200)))
    assert waiting["waiting"] and 590 < waiting["age"] < 700 and waiting["failed"] == 3


def test_segment_names_and_backup_info():
    assert barman._is_segment("000000010000000000000003.gz") and barman._is_segment("000000010000000000000003")
    assert not barman._is_segment("00000002.history") and not barman._is_segment(
        "000000010000000000000003.00000028.backup")
    info = barman.parse_info("status=DONE\nend_time=2026-11-30 16:20:01.123+00:00\nsize=None\n")
    assert info == {"status": "DONE", "end_time": "2026-11-30 16:20:01.123+00:00"}


def test_beat_entries_skip_an_invalid_cron():
    entries = schedule.beat_schedule(base_schedule="30 1 * * *", drill_schedule="bad")
    assert list(entries) == ["backups-pitr-base"]


def test_plan_picks_the_base_backup_before_the_target_and_refuses_outside_the_archive(monkeypatch, settings):
    support.use_s3(settings, bucket="bkt")
    at = lambda s: datetime.fromisoformat(s)  # noqa: E731
    backups = [{"id": "b1", "end_time": at("2026-11-01T02:00:00+00:00")},
               {"id": "b2", "end_time": at("2026-11-02T02:00:00+00:00")}]
    monkeypatch.setattr(barman, "base_backups", lambda: backups)
    # S3's LastModified is whole seconds: a segment stamped 10:00:05 was complete before 10:00:06
    monkeypatch.setattr(barman, "newest_wal", lambda: {"name": "x", "archived_at": at("2026-11-02T10:00:05+00:00")})
    assert recover.plan(recover.parse_target("2026-11-02T01:59:59Z"))["base"]["id"] == "b1"
    assert recover.plan(recover.parse_target("2026-11-02T10:00:05.400Z"))["base"]["id"] == "b2"
    with pytest.raises(PitrError, match="before the oldest base backup"):
        recover.plan(recover.parse_target("2026-10-31T00:00:00Z"))
    with pytest.raises(PitrError, match="after the newest archived WAL"):
        recover.plan(recover.parse_target("2026-11-02T10:00:06Z"))


def test_the_base_backup_goes_to_its_queue_only_when_one_is_named():
    """BACKUP_PITR_BASE_QUEUE → CELERY_TASK_ROUTES: the base backup alone; the drill stays on the default queue."""
    from celery import Celery

    assert schedule.task_routes(base_queue="") == {}
    app = Celery("routes", set_as_current=False)
    app.conf.task_routes = schedule.task_routes(base_queue="pitr-base")
    assert app.amqp.router.route({}, schedule.BASE_TASK)["queue"].name == "pitr-base"
    assert app.amqp.router.route({}, schedule.DRILL_TASK)["queue"].name == app.conf.task_default_queue


def test_several_base_queues_one_beat_entry_per_member_each_to_its_queue():
    """A replicated cluster (deploy/ha): BACKUP_PITR_BASE_QUEUE names one queue per member; beat sends a
    copy to each (stale copies expire), and anything else sending the task goes to the first."""
    from celery import Celery

    entries = schedule.beat_schedule(base_schedule="30 1 * * *", base_queue="pitr-base-pg1, pitr-base-pg2")
    bases = {k: v for k, v in entries.items() if v["task"] == schedule.BASE_TASK}
    assert {k: v["options"]["queue"] for k, v in bases.items()} == {
        "backups-pitr-base@pitr-base-pg1": "pitr-base-pg1", "backups-pitr-base@pitr-base-pg2": "pitr-base-pg2"}
    assert all(v["options"]["expires"] == schedule.EXPIRES for v in bases.values())
    app = Celery("routes", set_as_current=False)
    app.conf.task_routes = schedule.task_routes(base_queue="pitr-base-pg1, pitr-base-pg2")
    # an entry's own queue wins over the route (the explicit option is what beat sends with)
    assert app.amqp.router.route({"queue": "pitr-base-pg2"}, schedule.BASE_TASK)["queue"].name == "pitr-base-pg2"
    assert app.amqp.router.route({}, schedule.BASE_TASK)["queue"].name == "pitr-base-pg1"
    assert "options" not in schedule.beat_schedule(base_queue="pitr-base")["backups-pitr-base"]
