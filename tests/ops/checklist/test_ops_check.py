"""`manage.py ops_check` (pre-deploy) run as a process with settings.prod against real services:
healthy → exit 0; each broken item → its FAIL line and exit 1."""
import json
import os
import secrets
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from backups_app.pg import drop_database
from tests.support.live import free_port

from .conftest import lines_by_item, ops_check, prod_env

ITEMS = ["sentry_dsn", "redis", "database", "jwt_secret", "log_dir", "backup_schedule", "backup_bucket",
         "static_files", "deploy_checks"]


# Broken-item runs leave deploy_checks out: it reports every app's warnings, and is
# proven by its own tests below; the other eight items must then be exactly one FAIL.
ISOLATED = ("--skip", "deploy_checks")


def assert_only_failure(result, item, *, items=ITEMS[:-1]):
    """`item` has its FAIL line, the exit code is 1, and every other item is ok."""
    lines = lines_by_item(result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines == {name: "FAIL" if name == item else "ok" for name in items}, result.stdout + result.stderr


@pytest.fixture
def env(tmp_path, migrated_main_db, s3_env, sentry_recorder):
    return prod_env(tmp_path, SENTRY_DSN=sentry_recorder.dsn, **s3_env)


def test_healthy_stack_passes_every_item_and_exits_0(env, sentry_recorder):
    result = ops_check("--send-test-event", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert lines_by_item(result.stdout) == {item: "ok" for item in ITEMS}
    assert "accepted (HTTP 200)" in result.stdout
    assert "PONG in" in result.stdout and " ms " in result.stdout  # Redis latency shown
    assert "probe object put and deleted" in result.stdout
    assert len(sentry_recorder.requests) == 1 and b"ops_check test event" in sentry_recorder.bodies()
    output = result.stdout + result.stderr
    for name in ("DJANGO_SECRET_KEY", "JWT_SECRET", "AWS_SECRET_ACCESS_KEY", "METRICS_TOKEN"):
        assert env[name] not in output, f"{name} printed"
    assert sentry_recorder.key not in output  # the DSN key is shortened


def test_json_output_lists_every_item(env):
    result = ops_check("--json", *ISOLATED, env=env)

    doc = json.loads(result.stdout)
    assert result.returncode == 0 and doc["ok"] is True and doc["list"] == "pre-deploy"
    assert [r["item"] for r in doc["results"]] == ITEMS[:-1]
    assert all(r["ok"] and r["detail"] for r in doc["results"])


def test_redis_down_fails_redis(env):
    env["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "redis")
    assert "no PING answer" in result.stdout


@pytest.fixture
def empty_database_url():
    """A fresh database created on the test cluster (CREATE DATABASE, as createdb does), dropped after."""
    name = f"ops_check_empty_{uuid.uuid4().hex[:8]}"
    main = os.environ["DATABASE_URL"]
    with psycopg.connect(main, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(main)
    yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    with psycopg.connect(main, autocommit=True) as conn:
        drop_database(conn, name)


def test_unmigrated_database_fails_database(env, empty_database_url):
    env["DATABASE_URL"] = empty_database_url

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "database")
    assert "unapplied migrations" in result.stdout and "run manage.py migrate" in result.stdout


def test_unreachable_database_fails_database(env):
    env["DATABASE_URL"] = f"postgres://papyrus:{secrets.token_hex(8)}@127.0.0.1:{free_port()}/papyrus"

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "database")
    assert "cannot connect" in result.stdout
    assert urlsplit(env["DATABASE_URL"]).password not in result.stdout + result.stderr


def test_weak_jwt_secret_is_refused_by_prod_before_anything_runs(env):
    env["JWT_SECRET"] = "dev-only-jwt-secret-change-me-in-production-0000"

    result = ops_check(env=env)

    assert result.returncode != 0
    assert "JWT_SECRET must be a random value of at least 32 bytes" in result.stderr
    assert env["JWT_SECRET"] not in result.stdout + result.stderr


@pytest.mark.parametrize("secret, why", [
    ("short-but-random-Xy7", "is 20 bytes"),
    ("dev-only-jwt-secret-change-me-in-production-0000", "known default"),
    ("ab" * 40, "distinct characters"),
])
def test_weak_jwt_secret_fails_jwt_secret_item(tmp_path, secret, why):
    # settings.test accepts any secret at start-up, so the item itself is what catches it here.
    env = prod_env(tmp_path, DJANGO_SETTINGS_MODULE="settings.test", JWT_SECRET=secret)

    weak = ops_check("--only", "jwt_secret", env=env)
    strong = ops_check("--only", "jwt_secret", env={**env, "JWT_SECRET": secrets.token_urlsafe(48)})

    assert weak.returncode == 1 and lines_by_item(weak.stdout) == {"jwt_secret": "FAIL"}
    assert why in weak.stdout and secret not in weak.stdout
    assert strong.returncode == 0 and lines_by_item(strong.stdout) == {"jwt_secret": "ok"}


def test_a_release_without_collectstatic_fails_static_files(env, tmp_path):
    result = ops_check(*ISOLATED, env={**env, "STATIC_ROOT": str(tmp_path / "never-collected")})

    assert_only_failure(result, "static_files")
    assert "no staticfiles.json in " in result.stdout and "run manage.py collectstatic" in result.stdout


def test_unwritable_log_dir_fails_log_dir(env, tmp_path):
    # Tests run as root, which ignores permission bits: a directory under a regular file
    # cannot be created by anyone. The process still starts (logging falls back to stderr).
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env["LOG_DIR"] = str(blocker / "logs")

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "log_dir")
    assert "is not writable: Not a directory" in result.stdout
    assert "LOG_DIR" in result.stderr and "not writable" in result.stderr


@pytest.mark.parametrize("cron", ["61 2 * * *", "0 2 * *", "every night"])
def test_bad_cron_fails_backup_schedule(env, cron):
    env["BACKUP_SCHEDULE"] = cron

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "backup_schedule")
    assert "BACKUP_SCHEDULE is not a valid cron" in result.stdout


def test_missing_bucket_fails_backup_bucket(env):
    env["BACKUP_S3_BUCKET"] = f"no-such-bucket-{uuid.uuid4().hex[:8]}"

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "backup_bucket")
    assert "NoSuchBucket" in result.stdout
    assert env["AWS_SECRET_ACCESS_KEY"] not in result.stdout + result.stderr


def _lock_bucket(env, *, default_days: int | None) -> str:
    import boto3

    bucket = f"papyrus-locked-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    if default_days:
        client.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": default_days}}})
    return bucket


def test_backup_bucket_reports_its_object_lock_configuration(env):
    plain = ops_check("--only", "backup_bucket", env=env)
    assert plain.returncode == 0 and "no Object Lock" in plain.stdout

    env["BACKUP_S3_BUCKET"] = _lock_bucket(env, default_days=7)
    locked = ops_check("--only", "backup_bucket", env={**env, "BACKUP_S3_OBJECT_LOCK_DAYS": "7"})
    assert locked.returncode == 0, locked.stdout + locked.stderr
    assert "Object Lock enabled (default COMPLIANCE 7 days)" in locked.stdout


def test_locked_uploads_to_a_bucket_without_object_lock_fail_backup_bucket(env):
    result = ops_check(*ISOLATED, env={**env, "BACKUP_S3_OBJECT_LOCK_DAYS": "30"})

    assert_only_failure(result, "backup_bucket")
    assert "BACKUP_S3_OBJECT_LOCK_DAYS=30 but bucket" in result.stdout and "no Object Lock" in result.stdout


def test_missing_sentry_dsn_fails_sentry_dsn(env):
    env["SENTRY_DSN"] = ""

    assert_only_failure(ops_check(*ISOLATED, env=env), "sentry_dsn")


def test_malformed_sentry_dsn_fails_sentry_dsn(env):
    # The process starts without error tracking and says so; the item names the problem.
    env["SENTRY_DSN"] = "https://sentry.example.com/not-a-project"

    result = ops_check(*ISOLATED, env=env)

    assert_only_failure(result, "sentry_dsn")
    assert "Missing public key" in result.stdout
    assert "not a valid Sentry DSN" in result.stderr


def test_refused_test_event_fails_sentry_dsn(env, sentry_recorder):
    sentry_recorder.status = 403

    result = ops_check("--send-test-event", "--only", "sentry_dsn", env=env)

    assert result.returncode == 1 and "FAIL sentry_dsn  test event refused" in result.stdout
    assert "HTTP 403" in result.stdout


def test_deploy_warnings_fail_deploy_checks(env):
    env["SECURE_SSL_REDIRECT"] = "false"  # Django's security.W008

    result = ops_check(env=env)

    assert result.returncode == 1 and lines_by_item(result.stdout)["deploy_checks"] == "FAIL"
    assert "security.W008" in result.stdout


def test_unknown_item_is_a_clear_error(env):
    result = ops_check("--only", "nope", env=env)

    assert result.returncode != 0 and "unknown item(s) nope" in result.stderr
