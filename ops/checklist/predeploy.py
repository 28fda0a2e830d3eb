"""The pre-deploy checklist, one Check per item: error tracking, Redis, migrations, the token
secret, the log directory, the backup schedule and bucket, Django's deploy checks."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import urllib.error
import uuid
from datetime import datetime, timezone
from pathlib import Path

from django.core import checks as django_checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from . import conf
from .base import Check, CheckFailed, first_line
from ops.cron import InvalidCron, parse_cron
from .masking import mask_dsn
from .redis_client import redis_connection
from .sentry import BadDsn, parse_dsn, send_test_event

DEFAULT = [
    "ops.checklist.predeploy.SentryDsn",
    "ops.checklist.predeploy.RedisReachable",
    "ops.checklist.predeploy.DatabaseMigrated",
    "ops.checklist.predeploy.JwtSecretStrong",
    "ops.checklist.predeploy.LogDirWritable",
    "ops.checklist.predeploy.BackupSchedule",
    "ops.checklist.predeploy.BackupBucketWritable",
    "ops.checklist.predeploy.DeployChecks",
]


class SentryDsn(Check):
    """SENTRY_DSN set and well-formed; with `send_test_event` in the context, one event accepted."""

    name = "sentry_dsn"

    def run(self, context):
        value = conf.setting("SENTRY_DSN", "")
        try:
            parse_dsn(value)
        except BadDsn as exc:
            raise CheckFailed(f"SENTRY_DSN is not usable: {exc}") from None
        if not context.get("send_test_event"):
            return mask_dsn(value)
        try:
            event_id, status = send_test_event(value)
        except urllib.error.HTTPError as exc:
            raise CheckFailed(f"test event refused by {mask_dsn(value)}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise CheckFailed(f"test event not delivered to {mask_dsn(value)}: {exc}") from None
        return f"{mask_dsn(value)}; test event {event_id} accepted (HTTP {status})"


class RedisReachable(Check):
    """PING answered; the round trip is shown."""

    name = "redis"

    def run(self, context):
        client, where = redis_connection()
        started = time.perf_counter()
        try:
            client.ping()
        except Exception as exc:  # noqa: BLE001 - redis-py raises several kinds
            raise CheckFailed(f"no PING answer from {where}: {first_line(exc)}") from None
        return f"PONG in {(time.perf_counter() - started) * 1000:.1f} ms from {where}"


class DatabaseMigrated(Check):
    """The default database answers and has no unapplied migration."""

    name = "database"

    def run(self, context):
        connection = connections[DEFAULT_DB_ALIAS]
        where = f"{connection.vendor} {connection.settings_dict.get('HOST') or 'local'}" \
                f":{connection.settings_dict.get('PORT') or ''}/{connection.settings_dict.get('NAME')}"
        try:
            connection.ensure_connection()
        except Exception as exc:  # noqa: BLE001 - driver errors vary
            raise CheckFailed(f"cannot connect to {where}: {first_line(exc)}") from None
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5]) + (" ..." if len(plan) > 5 else "")
            raise CheckFailed(f"{len(plan)} unapplied migrations on {where}: {names} (run manage.py migrate)")
        return f"{where}, {len(executor.loader.applied_migrations)} migrations applied, none pending"


class JwtSecretStrong(Check):
    """The site's token secret (role token_secret): at least 32 bytes, not a known default or
    placeholder, not one repeated pattern."""

    name = "jwt_secret"
    MIN_BYTES = 32
    MIN_DISTINCT = 10

    def run(self, context):
        setting = conf.site_setting_name("token_secret")
        if not setting:
            return "no token secret configured (OPS_CHECKLIST_SITE_SETTINGS['token_secret'])"
        secret = str(conf.setting(setting, "") or "")
        size = len(secret.encode())
        if not secret:
            raise CheckFailed(f"{setting} is not set")
        if size < self.MIN_BYTES:
            raise CheckFailed(f"{setting} is {size} bytes; at least {self.MIN_BYTES} random bytes needed")
        lowered = secret.lower()
        if lowered in conf.weak_secrets() or any(f in lowered for f in conf.WEAK_SECRET_FRAGMENTS):
            raise CheckFailed(f"{setting} is a known default/placeholder value")
        if len(set(secret)) < self.MIN_DISTINCT:
            raise CheckFailed(f"{setting} uses only {len(set(secret))} distinct characters (not random)")
        return f"{size} bytes, {len(set(secret))} distinct characters"


class LogDirWritable(Check):
    """LOG_DIR exists (created if missing) and a probe file can be created and deleted there."""

    name = "log_dir"

    def run(self, context):
        path = Path(conf.setting("LOG_DIR", "") or "logs")
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path, prefix=".ops-check-", delete=True) as probe:
                probe.write(b"probe\n")
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            raise CheckFailed(f"{path} is not writable: {exc.strerror or exc}") from None
        free = shutil.disk_usage(path).free
        return f"{path}, {free / 2**30:.1f} GiB free"


class BackupSchedule(Check):
    """The site's backup schedule (role backup_schedule) is a 5-field cron celery beat accepts;
    the next run is shown."""

    name = "backup_schedule"

    def run(self, context):
        setting = conf.site_setting_name("backup_schedule")
        if not setting:
            return "no backup schedule configured (OPS_CHECKLIST_SITE_SETTINGS['backup_schedule'])"
        expression = conf.setting(setting, "")
        try:
            schedule = parse_cron(expression)
        except InvalidCron as exc:
            raise CheckFailed(f"{setting} is not a valid cron: {exc}") from None
        remaining = schedule.remaining_estimate(datetime.now(timezone.utc))
        hours, rest = divmod(int(remaining.total_seconds()), 3600)
        return f"{expression!r}, next run in {hours}h{rest // 60:02d}m; {backups_enabled()}"


def backups_enabled() -> str:
    setting = conf.site_setting_name("backup_enabled")
    if not setting or conf.setting(setting):
        return "backups enabled"
    return f"{setting} is false: nothing scheduled"


class BackupBucketWritable(Check):
    """When the site's backup bucket (role backup_bucket) is set: a probe object can be put and
    deleted there; the bucket's Object Lock configuration is reported, and it must be enabled when
    the site locks its uploads (role backup_object_lock_days > 0)."""

    name = "backup_bucket"

    def run(self, context):
        setting = conf.site_setting_name("backup_bucket")
        if not setting:
            return "no backup bucket configured (OPS_CHECKLIST_SITE_SETTINGS['backup_bucket'])"
        bucket = conf.setting(setting, "")
        if not bucket:
            return f"{setting} not set: backups stay local only"
        client, where = s3_client()
        key = f"ops-check/probe-{uuid.uuid4().hex}"
        try:  # a checksum header: buckets with a default Object Lock retention refuse uploads without one
            client.put_object(Bucket=bucket, Key=key, Body=b"ops_check probe\n", ChecksumAlgorithm="SHA256")
            client.delete_object(Bucket=bucket, Key=key)
            lock = object_lock(client, bucket)
        except Exception as exc:  # noqa: BLE001 - botocore raises ClientError and connection errors
            raise CheckFailed(f"bucket {bucket!r} at {where} is not writable: {s3_reason(exc)}") from None
        days = int(conf.site_setting("backup_object_lock_days") or 0)
        if days and lock is None:
            raise CheckFailed(f"{conf.site_setting_name('backup_object_lock_days')}={days} but bucket {bucket!r} has "
                              "no Object Lock: locked uploads will be refused (create the bucket with Object Lock)")
        return f"s3://{bucket} at {where}: probe object put and deleted; {describe_lock(lock)}"


def object_lock(client, bucket: str) -> dict | None:
    """The bucket's Object Lock configuration, or None when Object Lock is not enabled on it."""
    try:
        found = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except Exception as exc:  # noqa: BLE001
        if "ObjectLockConfigurationNotFound" in s3_reason(exc):
            return None
        raise
    return found if found.get("ObjectLockEnabled") == "Enabled" else None


def describe_lock(lock: dict | None) -> str:
    if lock is None:
        return "no Object Lock"
    rule = (lock.get("Rule") or {}).get("DefaultRetention") or {}
    if not rule:
        return "Object Lock enabled (no default retention)"
    period = f"{rule['Days']} days" if "Days" in rule else f"{rule.get('Years')} years"
    return f"Object Lock enabled (default {rule.get('Mode')} {period})"


class DeployChecks(Check):
    """`manage.py check --deploy` is clean: no warning or error that is not silenced."""

    name = "deploy_checks"

    def run(self, context):
        messages = django_checks.run_checks(include_deployment_checks=True)
        serious = [m for m in messages if m.level >= django_checks.WARNING and not m.is_silenced()]
        if serious:
            listed = "; ".join(f"{m.id}: {first_line(m.msg)[:90]}" for m in serious[:6])
            raise CheckFailed(f"{len(serious)} issue(s): {listed}" + (" ..." if len(serious) > 6 else ""))
        return f"{len(messages)} silenced/info messages, no warnings" if messages else "no issues"


def s3_client():
    """(boto3 S3 client, printable endpoint) from the site's s3_* settings; short timeouts, one attempt."""
    import boto3
    from botocore.config import Config

    endpoint = conf.site_setting("s3_endpoint_url") or None
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=conf.site_setting("s3_region") or None,
        aws_access_key_id=conf.site_setting("s3_access_key_id") or None,
        aws_secret_access_key=conf.site_setting("s3_secret_access_key") or None,
        config=Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 1}),
    )
    return client, endpoint or "AWS S3"


def s3_reason(exc: Exception) -> str:
    """The S3 error code and message (`NoSuchBucket: The specified bucket does not exist`)."""
    error = getattr(exc, "response", {}).get("Error", {}) if hasattr(exc, "response") else {}
    if error:
        return f"{error.get('Code')}: {error.get('Message', '')}".strip(": ")
    return f"{type(exc).__name__}: {first_line(exc)}"
