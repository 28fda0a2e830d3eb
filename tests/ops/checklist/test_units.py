"""The checklist's small parts: masking, cron parsing, the quantile maths, the system check."""
import math
from datetime import datetime, timezone

import pytest
from celery.schedules import crontab
from django.test import override_settings

from ops.checklist.checks import check_digest_schedules
from ops.checklist.masking import mask_dsn, mask_url, scrub
from ops.checklist.performance import from_metrics_text, histogram_quantile
from ops.cron import InvalidCron, parse_cron


@pytest.mark.parametrize("url, masked", [
    ("postgres://papyrus:hunter2pass@db:5432/papyrus", "postgres://papyrus:***@db:5432/papyrus"),
    ("redis://:s3cret-redis@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("cannot reach https://user:tok3n@h/x and postgres://a:b@c/d",
     "cannot reach https://user:***@h/x and postgres://a:***@c/d"),
])
def test_mask_url_hides_passwords(url, masked):
    assert mask_url(url) == masked


def test_mask_dsn_shortens_the_key_and_drops_the_secret():
    masked = mask_dsn("https://0123456789abcdef:legacysecret@o1.ingest.sentry.io/42")

    assert masked == "https://0123…@o1.ingest.sentry.io/42"
    assert "legacysecret" not in masked and "0123456789abcdef" not in masked


def test_scrub_replaces_configured_secret_values():
    assert scrub("key=abcdefgh1234 and more", ["abcdefgh1234"]) == "key=*** and more"


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


def test_the_old_import_path_is_the_same_parser():
    from ops.checklist import cron

    assert cron.parse_cron is parse_cron and cron.InvalidCron is InvalidCron


def test_histogram_quantile_interpolates_like_prometheus():
    # 100 observations: 50 ≤ 0.1 s, 90 ≤ 0.5 s, all ≤ 1 s.
    buckets = {0.1: 50, 0.5: 90, 1.0: 100, math.inf: 100}

    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.75)  # half-way into (0.5, 1]
    assert histogram_quantile(0.95, {0.1: 0, math.inf: 10}) == pytest.approx(0.1)  # beyond the last bound
    assert math.isnan(histogram_quantile(0.95, {0.1: 0, math.inf: 0}))


def test_performance_from_metrics_text_ranks_routes_by_p95():
    text = "\n".join([
        "# TYPE p_http_request_duration_seconds histogram",
        *[f'p_http_request_duration_seconds_bucket{{method="GET",route="/fast",status="200",le="{le}"}} {n}'
          for le, n in (("0.01", 9), ("0.1", 10), ("+Inf", 10))],
        'p_http_request_duration_seconds_count{method="GET",route="/fast",status="200"} 10',
        'p_http_request_duration_seconds_sum{method="GET",route="/fast",status="200"} 0.05',
        *[f'p_http_request_duration_seconds_bucket{{method="POST",route="/slow",status="201",le="{le}"}} {n}'
          for le, n in (("0.01", 0), ("0.1", 1), ("+Inf", 4))],
        'p_http_request_duration_seconds_count{method="POST",route="/slow",status="201"} 4',
        'p_http_request_duration_seconds_sum{method="POST",route="/slow",status="201"} 2.0',
    ]) + "\n"

    summary = from_metrics_text(text, prefix="p_", source="test")

    assert [r.route for r in summary.routes] == ["/slow", "/fast"]
    assert [r.requests for r in summary.routes] == [4, 10]
    assert summary.routes[0].p95_seconds == pytest.approx(0.1)


def test_system_check_reports_an_invalid_digest_schedule():
    with override_settings(OPS_DIGEST_ERRORS_SCHEDULE="every monday"):
        errors = check_digest_schedules()
    with override_settings(OPS_DIGEST_ERRORS_SCHEDULE="0 7 * * 1"):
        fine = check_digest_schedules()

    assert [e.id for e in errors] == ["ops_checklist.E001"] and "OPS_DIGEST_ERRORS_SCHEDULE" in errors[0].msg
    assert fine == []


# --- the site's own settings, reached through OPS_CHECKLIST_SITE_SETTINGS only -----------------

def test_items_about_the_sites_own_settings_say_when_none_is_mapped():
    from ops.checklist.predeploy import BackupBucketWritable, BackupSchedule, JwtSecretStrong

    with override_settings(OPS_CHECKLIST_SITE_SETTINGS={}, BACKUP_SCHEDULE="not a cron", JWT_SECRET="weak"):
        details = [check().run({}) for check in (JwtSecretStrong, BackupSchedule, BackupBucketWritable)]

    assert details == [f"no {what} configured (OPS_CHECKLIST_SITE_SETTINGS['{role}'])" for what, role in (
        ("token secret", "token_secret"), ("backup schedule", "backup_schedule"), ("backup bucket", "backup_bucket"))]


def test_items_read_and_name_the_setting_the_site_maps():
    from ops.checklist.base import CheckFailed
    from ops.checklist.predeploy import BackupSchedule, JwtSecretStrong

    site = {"backup_schedule": "NIGHTLY_CRON", "backup_enabled": "NIGHTLY_ON", "token_secret": "TOKEN_KEY"}
    with override_settings(OPS_CHECKLIST_SITE_SETTINGS=site, NIGHTLY_CRON="0 3 * * *", NIGHTLY_ON=False,
                           TOKEN_KEY="short", BACKUP_SCHEDULE="not a cron"):
        fine = BackupSchedule().run({})
        with pytest.raises(CheckFailed, match="^TOKEN_KEY is 5 bytes"):
            JwtSecretStrong().run({})
    with override_settings(OPS_CHECKLIST_SITE_SETTINGS=site, NIGHTLY_CRON="61 3 * * *"):
        with pytest.raises(CheckFailed, match="^NIGHTLY_CRON is not a valid cron: .*bad minute field '61'"):
            BackupSchedule().run({})

    assert fine.startswith("'0 3 * * *', next run in ") and fine.endswith("NIGHTLY_ON is false: nothing scheduled")


def test_mapped_secrets_are_scrubbed_from_output():
    from ops.checklist import conf

    secret = "s3cret-" + "q" * 30
    with override_settings(OPS_CHECKLIST_SITE_SETTINGS={"s3_secret_access_key": "VAULT_KEY"}, VAULT_KEY=secret):
        assert secret in conf.secret_values()
    with override_settings(OPS_CHECKLIST_SITE_SETTINGS={}, VAULT_KEY=secret):
        assert secret not in conf.secret_values()
