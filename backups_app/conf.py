"""Backup settings, read at call time (so override_settings and per-process env work).

    BACKUP_ENABLED = False               # beat schedules create/cleanup/drill only when true
    BACKUP_SCHEDULE = "0 2 * * *"        # cron: minute hour day-of-month month day-of-week (UTC)
    BACKUP_DRILL_SCHEDULE = "0 3 1 * *"  # restore drill, monthly by default
    BACKUP_RETENTION_DAYS = 30
    BACKUP_DIR = "./backups"
    BACKUP_S3_BUCKET = ""                # off-site copy when set (AWS_* / AWS_S3_ENDPOINT_URL)
    BACKUP_S3_PREFIX = "backups/"
    BACKUP_S3_OBJECT_LOCK_DAYS = 0       # > 0: every upload under S3 Object Lock for that many days
    BACKUP_S3_OBJECT_LOCK_MODE = "COMPLIANCE"  # or GOVERNANCE (removable by those allowed to bypass it)
    BACKUP_COMPRESSION_LEVEL = 6
    BACKUP_COMPRESS_THREADS = 2
    BACKUP_SAFETY_COMPRESSION_LEVEL = 1  # the safety backup a restore takes: speed over size
    BACKUP_LOCK_TIMEOUT = 60             # seconds; the holder extends it while alive
    BACKUP_RESTORE_LOCK_TIMEOUT = "30s"  # PostgreSQL lock_timeout for the schema swap
    BACKUP_MAINTENANCE_RETRY_AFTER = 60  # Retry-After (s) on writes refused during a restore
    BACKUP_MAX_AGE_HOURS = 26            # freshness: older newest-success backup = stale
    BACKUP_PG_BIN = ""                   # directory of pg_dump/psql; default: the server's version
    BACKUP_AGE_RECIPIENTS = []           # age public keys (age1…): backups are encrypted to all of them when set
    BACKUP_AGE_IDENTITY_FILE = ""        # an age identity file that decrypts them (restore, drill, verify)
    BACKUP_PAGE_RESTORER = ""            # dotted path: (cursor, page_ids, folder, source) -> {"restored", "missing"}
    BACKUP_FINGERPRINT_SETTINGS = ["SECRET_KEY"]  # signing secrets whose HMAC fingerprint a manifest keeps
"""
from pathlib import Path

from django.conf import settings


def _get(name, default):
    return getattr(settings, name, default)


def enabled() -> bool:
    return bool(_get("BACKUP_ENABLED", False))


def schedule() -> str:
    return _get("BACKUP_SCHEDULE", "0 2 * * *")


def drill_schedule() -> str:
    return _get("BACKUP_DRILL_SCHEDULE", "0 3 1 * *")


def retention_days() -> int:
    return int(_get("BACKUP_RETENTION_DAYS", 30))


def backup_dir() -> Path:
    return Path(_get("BACKUP_DIR", "backups")).resolve()


def s3_bucket() -> str:
    return _get("BACKUP_S3_BUCKET", "") or ""


def s3_prefix() -> str:
    return _get("BACKUP_S3_PREFIX", "backups/")


def s3_object_lock_days() -> int:
    return int(_get("BACKUP_S3_OBJECT_LOCK_DAYS", 0) or 0)


def s3_object_lock_mode() -> str:
    return str(_get("BACKUP_S3_OBJECT_LOCK_MODE", "COMPLIANCE") or "COMPLIANCE").upper()


def s3_options() -> dict:
    """Keyword arguments for storages.backends.s3.S3Storage (empty values left to boto3)."""
    options = {
        "bucket_name": s3_bucket(),
        "access_key": _get("AWS_ACCESS_KEY_ID", "") or None,
        "secret_key": _get("AWS_SECRET_ACCESS_KEY", "") or None,
        "region_name": _get("AWS_REGION", "") or None,
        "endpoint_url": _get("AWS_S3_ENDPOINT_URL", "") or None,
        "location": "",
        "file_overwrite": True,
        "default_acl": None,
    }
    return {k: v for k, v in options.items() if v is not None}


def compression_level() -> int:
    return int(_get("BACKUP_COMPRESSION_LEVEL", 6))


def safety_compression_level() -> int:
    return int(_get("BACKUP_SAFETY_COMPRESSION_LEVEL", 1))


def compress_threads() -> int:
    return max(1, int(_get("BACKUP_COMPRESS_THREADS", 2)))


def lock_timeout() -> int:
    return int(_get("BACKUP_LOCK_TIMEOUT", 60))


def restore_lock_timeout() -> str:
    return str(_get("BACKUP_RESTORE_LOCK_TIMEOUT", "30s"))


def retry_after() -> int:
    return int(_get("BACKUP_MAINTENANCE_RETRY_AFTER", 60))


def max_age_hours() -> float:
    return float(_get("BACKUP_MAX_AGE_HOURS", 26))


def pg_bin() -> str:
    return _get("BACKUP_PG_BIN", "") or ""


def fingerprint_settings() -> list[str]:
    return list(_get("BACKUP_FINGERPRINT_SETTINGS", ["SECRET_KEY"]))


def age_recipients() -> list[str]:
    value = _get("BACKUP_AGE_RECIPIENTS", []) or []
    if isinstance(value, str):
        value = value.split(",")
    return [r.strip() for r in value if r.strip()]


def age_identity_file() -> str:
    return str(_get("BACKUP_AGE_IDENTITY_FILE", "") or "")


def page_restorer():
    """The callable that brings pages back from a backup opened in a scratch database."""
    from django.utils.module_loading import import_string

    dotted = _get("BACKUP_PAGE_RESTORER", "")
    if not dotted:
        from .errors import BackupError

        raise BackupError("BACKUP_PAGE_RESTORER is not set: this project cannot bring single pages back")
    return import_string(dotted)


def app_version() -> str:
    return str(_get("VERSION", ""))


def redis_url() -> str:
    return _get("BACKUP_REDIS_URL", "") or _get("REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_options() -> dict:
    """REDIS_PASSWORD / REDIS_DB apply even when the URL lacks them (SPEC §3)."""
    options = {}
    if _get("REDIS_PASSWORD", ""):
        options["password"] = _get("REDIS_PASSWORD", "")
    if str(_get("REDIS_DB", "")).strip():
        options["db"] = int(_get("REDIS_DB", 0))
    return options


def key_prefix() -> str:
    return _get("BACKUP_REDIS_PREFIX", "papyrus:backups:")


# --- point-in-time recovery (backups_app.pitr): WAL archiving and base backups with barman-cloud ---
#   BACKUP_PITR_ENABLED = False            # archiving expected: checks, metrics, base backups, drills
#   BACKUP_PITR_PREFIX = "wal/"            # under BACKUP_S3_BUCKET: <prefix><server>/{wals,base}/
#   BACKUP_PITR_SERVER_NAME = "papyrus"    # barman-cloud's server name (a folder under the prefix)
#   BACKUP_PITR_ARCHIVE_TIMEOUT = 60       # s; forces a WAL switch on a quiet database (bounds loss)
#   BACKUP_BASE_SCHEDULE = "30 1 * * *"    # cron (UTC): base backup, then retention
#   BACKUP_PITR_RETENTION_DAYS = BACKUP_RETENTION_DAYS  # recovery window; barman keeps the WAL it needs
#   BACKUP_PITR_DRILL_SCHEDULE = "0 4 2 * *"  # PITR drill, monthly by default
#   BACKUP_PITR_PG_DSN = ""                # superuser conninfo for base backups / pitr-setup
#                                          # (default: the database's host and port, user postgres)
#   BACKUP_PITR_OS_USER = "postgres"       # owner of the data directories (commands run as it)
#   BACKUP_PITR_BASE_ON_WORKER = True      # beat's base backup runs here; False where another process
#                                          # beside PGDATA takes them (compose's pitr-base service)


def pitr_enabled() -> bool:
    return bool(_get("BACKUP_PITR_ENABLED", False))


def pitr_prefix() -> str:
    return (_get("BACKUP_PITR_PREFIX", "wal/") or "wal/").strip("/")


def pitr_server_name() -> str:
    return _get("BACKUP_PITR_SERVER_NAME", "papyrus") or "papyrus"


def pitr_archive_timeout() -> int:
    return int(_get("BACKUP_PITR_ARCHIVE_TIMEOUT", 60))


def base_schedule() -> str:
    return _get("BACKUP_BASE_SCHEDULE", "30 1 * * *")


def pitr_retention_days() -> int:
    value = _get("BACKUP_PITR_RETENTION_DAYS", None)
    return int(value) if value not in (None, "") else retention_days()


def pitr_drill_schedule() -> str:
    return _get("BACKUP_PITR_DRILL_SCHEDULE", "0 4 2 * *")


def pitr_pg_dsn() -> str:
    return _get("BACKUP_PITR_PG_DSN", "") or ""


def pitr_os_user() -> str:
    return _get("BACKUP_PITR_OS_USER", "postgres") or "postgres"


def pitr_base_on_worker() -> bool:
    return bool(_get("BACKUP_PITR_BASE_ON_WORKER", True))


def aws_options() -> dict:
    """AWS_* settings for barman-cloud's boto3 (values may be empty: boto3 then looks elsewhere)."""
    return {"access_key": _get("AWS_ACCESS_KEY_ID", "") or "", "secret_key": _get("AWS_SECRET_ACCESS_KEY", "") or "",
            "region": _get("AWS_REGION", "") or "", "endpoint_url": _get("AWS_S3_ENDPOINT_URL", "") or ""}
