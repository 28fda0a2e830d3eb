"""The backup checks, in the ops.health contract: listed by the project's URLconf (/health) and
settings (OPS_CHECKLIST_PRE_DEPLOY, for `ops_check`)."""
from __future__ import annotations

import functools
import os
import time
import uuid
from datetime import datetime, timezone

from botocore.config import Config
from storages.backends.s3 import S3Storage

from ops.cron import InvalidCron, parse_cron
from ops.health.base import CheckFailed, HealthCheck, first_line
from ops.health.probes import probe_directory

from . import conf, storage
from .selectors import last_success_timestamp


class Storage(HealthCheck):
    """BACKUP_DIR accepts a file; with BACKUP_S3_BUCKET set, the bucket accepts an object too."""

    name = "storage"

    def run(self):
        try:
            probe_directory(conf.backup_dir(), prefix=".health-")
        except OSError as exc:
            raise CheckFailed("backup directory not writable") from exc
        if not conf.s3_bucket():
            return "directory writable"
        try:
            put_and_delete(s3_client(self.budget()), f".health/{os.uname().nodename}-{os.getpid()}")
        except Exception as exc:  # noqa: BLE001
            raise CheckFailed("backup bucket not writable") from exc
        return "directory and bucket writable"


class Backups(HealthCheck):
    """When BACKUP_ENABLED, the last successful backup is younger than BACKUP_MAX_AGE_HOURS."""

    name = "backups"

    def run(self):
        if not conf.enabled():
            return "disabled"
        finished = last_success_timestamp()
        if finished is None:
            raise CheckFailed("no successful backup yet")
        age, limit = time.time() - finished, conf.max_age_hours() * 3600
        if age > limit:
            raise CheckFailed(f"last backup {age / 3600:.1f} h ago (limit {limit / 3600:g} h)")
        return f"last backup {age / 3600:.1f} h ago"


class BackupSchedule(HealthCheck):
    """BACKUP_SCHEDULE is a 5-field cron celery beat accepts; the next run is shown."""

    name = "backup_schedule"

    def run(self):
        expression = conf.schedule()
        try:
            schedule = parse_cron(expression)
        except InvalidCron as exc:
            raise CheckFailed(f"BACKUP_SCHEDULE is not a valid cron: {exc}") from None
        remaining = schedule.remaining_estimate(datetime.now(timezone.utc))
        hours, rest = divmod(int(remaining.total_seconds()), 3600)
        enabled = "backups enabled" if conf.enabled() else "BACKUP_ENABLED is false: nothing scheduled"
        return f"{expression!r}, next run in {hours}h{rest // 60:02d}m; {enabled}"


class BackupBucket(HealthCheck):
    """When BACKUP_S3_BUCKET is set: a probe object can be put and deleted there; the bucket's Object
    Lock configuration is reported, and it must be enabled when uploads are locked
    (BACKUP_S3_OBJECT_LOCK_DAYS > 0)."""

    name = "backup_bucket"

    def run(self):
        bucket = conf.s3_bucket()
        if not bucket:
            return "BACKUP_S3_BUCKET not set: backups stay local only"
        where = conf.s3_options().get("endpoint_url") or "AWS S3"
        try:
            client = s3_client(self.budget())
            put_and_delete(client, f"ops-check/probe-{uuid.uuid4().hex}")
            lock = storage.lock_configuration()
        except Exception as exc:  # noqa: BLE001 - botocore raises ClientError and connection errors
            raise CheckFailed(f"bucket {bucket!r} at {where} is not writable: {s3_reason(exc)}") from None
        days = conf.s3_object_lock_days()
        if days and lock is None:
            raise CheckFailed(f"BACKUP_S3_OBJECT_LOCK_DAYS={days} but bucket {bucket!r} has no Object Lock: "
                              "locked uploads will be refused (create the bucket with Object Lock)")
        return f"s3://{bucket} at {where}: probe object put and deleted; {describe_lock(lock)}"


@functools.lru_cache(maxsize=4)
def _client(timeout: float, options: tuple):
    config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1})
    return S3Storage(**dict(options), client_config=config).connection.meta.client


def s3_client(timeout: float):
    """A boto3 client for the backup bucket (the backups' own S3 settings), short timeouts, one attempt."""
    return _client(timeout, tuple(sorted(conf.s3_options().items())))


def put_and_delete(client, key: str) -> None:
    """Put a small object at `key` in the backup bucket and delete it again; raises what botocore raises."""
    # A checksum header: buckets with a default Object Lock retention refuse uploads without one.
    client.put_object(Bucket=conf.s3_bucket(), Key=key, Body=b"probe\n", ChecksumAlgorithm="SHA256")
    client.delete_object(Bucket=conf.s3_bucket(), Key=key)


def describe_lock(lock: dict | None) -> str:
    if lock is None:
        return "no Object Lock"
    rule = (lock.get("Rule") or {}).get("DefaultRetention") or {}
    if not rule:
        return "Object Lock enabled (no default retention)"
    period = f"{rule['Days']} days" if "Days" in rule else f"{rule.get('Years')} years"
    return f"Object Lock enabled (default {rule.get('Mode')} {period})"


def s3_reason(exc: Exception) -> str:
    """The S3 error code and message (`NoSuchBucket: The specified bucket does not exist`)."""
    error = getattr(exc, "response", {}).get("Error", {}) if hasattr(exc, "response") else {}
    if error:
        return f"{error.get('Code')}: {error.get('Message', '')}".strip(": ")
    return f"{type(exc).__name__}: {first_line(exc)}"
