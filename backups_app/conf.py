"""Backup settings: the defaults, declared once here, read at call time (ops.appsettings).

Nothing here names the project that installs the app: its settings module sets what it changes
(key prefixes, names, the tables a restore keeps).
"""
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from ops.appsettings import AppSettings

from .errors import BackupError

DEFAULTS = {
    "BACKUP_ENABLED": False,               # beat schedules create/cleanup/drill only when true
    "BACKUP_SCHEDULE": "0 2 * * *",        # cron: minute hour day-of-month month day-of-week (UTC)
    "BACKUP_DRILL_SCHEDULE": "0 3 1 * *",  # restore drill, monthly by default
    "BACKUP_RETENTION_DAYS": 30,
    "BACKUP_DIR": "backups",               # relative to the working directory
    "BACKUP_STORAGE": "backups",           # the STORAGES alias of the off-site S3 store (absent: no copy);
                                           # a project builds it with s3_storage()
    "BACKUP_S3_PREFIX": "backups/",
    "BACKUP_S3_MULTIPART_CHUNKSIZE": 8 * 1024 * 1024,  # bytes per part of an S3 upload
    "BACKUP_S3_MULTIPART_THRESHOLD": None,  # bytes from which uploads go in parts (None: the chunk size)
    "BACKUP_S3_OBJECT_LOCK_DAYS": 0,       # > 0: every upload under S3 Object Lock for that many days
    "BACKUP_S3_OBJECT_LOCK_MODE": "COMPLIANCE",  # or GOVERNANCE (removable by those allowed to bypass it)
    "BACKUP_COMPRESSION_LEVEL": 6,
    "BACKUP_COMPRESS_THREADS": 2,
    "BACKUP_SAFETY_COMPRESSION_LEVEL": 1,  # the safety backup a restore takes: speed over size
    "BACKUP_SETTLE_INTERVAL": 60,          # seconds between beat's settle checks (schedule.beat_schedule)
    "BACKUP_LOCK_TIMEOUT": 60,             # seconds; the holder extends it while alive
    "BACKUP_QUEUE_TIMEOUT": 600,           # seconds a create/restore accepted by the API or the admin holds the
                                           # lock waiting for a worker; a task picked up later is refused
    "BACKUP_REDIS_CACHE": "default",       # django-redis cache alias: the lock follows its Sentinel/Cluster
    "BACKUP_REDIS_PREFIX": "backups:",     # key prefix of the lock, in-use markers, maintenance flag, counters
    "BACKUP_RESTORE_LOCK_TIMEOUT": "30s",  # PostgreSQL lock_timeout for the schema swap
    "BACKUP_MAINTENANCE_RETRY_AFTER": 60,  # Retry-After (s) on writes refused during a restore
    "BACKUP_MAINTENANCE_MESSAGE": "The site is restoring a backup; writes are paused. Try again shortly.",
    "BACKUP_MAX_AGE_HOURS": 26,            # freshness: older newest-success backup = stale
    "BACKUP_PG_BIN": "",                   # directory of pg_dump/psql; default: the server's version
    "BACKUP_PG_APPLICATION_NAME": "django-backup",  # application_name of pg_dump/psql sessions
    "BACKUP_AGE_RECIPIENTS": [],           # age public keys (age1…): backups are encrypted to all of them when set
    "BACKUP_AGE_IDENTITY_FILE": "",        # an age identity file that decrypts them (restore, drill, verify)
    "BACKUP_PAGE_RESTORER": "",            # dotted path: (cursor, page_ids, folder, source) -> {"restored", "missing"}
    "BACKUP_FINGERPRINT_SETTINGS": ["SECRET_KEY"],  # signing secrets whose HMAC fingerprint a manifest keeps
    "BACKUP_FINGERPRINT_LABEL": "django backup secrets fingerprint v1",  # HMAC message of those fingerprints
    # Models ("app_label.Model") whose rows are never dumped and whose live rows survive a restore
    # (sign-in sessions, say); a kept row that refers to a row the backup lacks is dropped. The
    # backups list itself is always kept.
    "BACKUP_KEPT_MODELS": [],
    # --- point-in-time recovery (backups_app.pitr): WAL archiving and base backups with barman-cloud ---
    "BACKUP_PITR_ENABLED": False,          # archiving expected: checks, metrics, base backups, drills
    "BACKUP_PITR_PREFIX": "wal/",          # in the off-site bucket: <prefix><server>/{wals,base}/
    "BACKUP_PITR_SERVER_NAME": "django",   # barman-cloud's server name (a folder under the prefix); base
                                           # backup and drill restore point names start with it
    "BACKUP_PITR_ARCHIVE_TIMEOUT": 60,     # s; forces a WAL switch on a quiet database (bounds loss)
    "BACKUP_BASE_SCHEDULE": "30 1 * * *",  # cron (UTC): base backup, then retention
    "BACKUP_PITR_RETENTION_DAYS": None,    # recovery window (None: BACKUP_RETENTION_DAYS); barman keeps the WAL
    "BACKUP_PITR_DRILL_SCHEDULE": "0 4 2 * *",  # PITR drill, monthly by default
    "BACKUP_PITR_PG_DSN": "",              # superuser conninfo for base backups / pitr-setup
                                           # (default: the database's host and port, user postgres)
    "BACKUP_PITR_OS_USER": "postgres",     # owner of the data directories (commands run as it)
    "BACKUP_PITR_BASE_QUEUE": "",          # Celery queue of beat's base backup ("" = default); its
                                           # worker must read PGDATA. Several, comma-separated: one
                                           # per member of a replicated cluster (the primary's takes it)
}
app_settings = AppSettings(DEFAULTS)


def _get(name):
    """The project's value, an empty one ("", None) meaning the default."""
    value = getattr(app_settings, name)
    return DEFAULTS[name] if value in ("", None) else value


def enabled() -> bool:
    return bool(_get("BACKUP_ENABLED"))


def schedule() -> str:
    return _get("BACKUP_SCHEDULE")


def drill_schedule() -> str:
    return _get("BACKUP_DRILL_SCHEDULE")


def retention_days() -> int:
    return int(_get("BACKUP_RETENTION_DAYS"))


def backup_dir() -> Path:
    return Path(_get("BACKUP_DIR")).resolve()


def s3_prefix() -> str:
    return _get("BACKUP_S3_PREFIX")


def s3_multipart() -> tuple[int, int]:
    """(threshold, chunk size) of multipart S3 uploads."""
    chunk = int(_get("BACKUP_S3_MULTIPART_CHUNKSIZE"))
    return int(_get("BACKUP_S3_MULTIPART_THRESHOLD") or chunk), chunk


def s3_object_lock_days() -> int:
    return int(_get("BACKUP_S3_OBJECT_LOCK_DAYS") or 0)


def s3_object_lock_mode() -> str:
    return str(_get("BACKUP_S3_OBJECT_LOCK_MODE")).upper()


def storage_alias() -> str:
    return _get("BACKUP_STORAGE")


def s3_options() -> dict:
    """OPTIONS of the STORAGES alias BACKUP_STORAGE: the one S3 configuration (empty when not set)."""
    return dict(getattr(settings, "STORAGES", {}).get(storage_alias(), {}).get("OPTIONS", {}))


def s3_bucket() -> str:
    return s3_options().get("bucket_name", "") or ""


def s3_storage(*, bucket: str, access_key: str = "", secret_key: str = "", region: str = "",
               endpoint_url: str = "") -> dict:
    """The STORAGES entry of the off-site store, for a settings module (empty values left to boto3)."""
    given = {"bucket_name": bucket, "access_key": access_key, "secret_key": secret_key, "region_name": region,
             "endpoint_url": endpoint_url}
    options = {k: v for k, v in given.items() if v}
    options.update(location="", file_overwrite=True, default_acl=None)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def compression_level() -> int:
    return int(_get("BACKUP_COMPRESSION_LEVEL"))


def safety_compression_level() -> int:
    return int(_get("BACKUP_SAFETY_COMPRESSION_LEVEL"))


def compress_threads() -> int:
    return max(1, int(_get("BACKUP_COMPRESS_THREADS")))


def lock_timeout() -> int:
    return int(_get("BACKUP_LOCK_TIMEOUT"))


def queue_timeout() -> int:
    return int(_get("BACKUP_QUEUE_TIMEOUT"))


def restore_lock_timeout() -> str:
    return str(_get("BACKUP_RESTORE_LOCK_TIMEOUT"))


def retry_after() -> int:
    return int(_get("BACKUP_MAINTENANCE_RETRY_AFTER"))


def maintenance_message() -> str:
    return str(_get("BACKUP_MAINTENANCE_MESSAGE"))


def max_age_hours() -> float:
    return float(_get("BACKUP_MAX_AGE_HOURS"))


def pg_bin() -> str:
    return _get("BACKUP_PG_BIN")


def pg_application_name() -> str:
    return str(_get("BACKUP_PG_APPLICATION_NAME"))


def fingerprint_settings() -> list[str]:
    return list(_get("BACKUP_FINGERPRINT_SETTINGS"))


def fingerprint_label() -> bytes:
    return str(_get("BACKUP_FINGERPRINT_LABEL")).encode()


def kept_models() -> list[str]:
    """`app_label.Model` of the models whose live rows a restore keeps (besides the backups list)."""
    return list(_get("BACKUP_KEPT_MODELS"))


def age_recipients() -> list[str]:
    value = _get("BACKUP_AGE_RECIPIENTS") or []
    if isinstance(value, str):
        value = value.split(",")
    return [r.strip() for r in value if r.strip()]


def age_identity_file() -> str:
    return str(_get("BACKUP_AGE_IDENTITY_FILE"))


def page_restorer():
    """The callable that brings pages back from a backup opened in a scratch database."""
    dotted = _get("BACKUP_PAGE_RESTORER")
    if not dotted:
        raise BackupError("BACKUP_PAGE_RESTORER is not set: this project cannot bring single pages back")
    return import_string(dotted)


def app_version() -> str:
    return str(getattr(settings, "VERSION", ""))


def redis_cache() -> str:
    """The django-redis cache alias whose Redis holds the lock, the markers and the counters."""
    return _get("BACKUP_REDIS_CACHE")


def key_prefix() -> str:
    return _get("BACKUP_REDIS_PREFIX")


def settle_interval() -> float:
    return float(_get("BACKUP_SETTLE_INTERVAL"))


def pitr_enabled() -> bool:
    return bool(_get("BACKUP_PITR_ENABLED"))


def pitr_prefix() -> str:
    return _get("BACKUP_PITR_PREFIX").strip("/")


def pitr_server_name() -> str:
    return _get("BACKUP_PITR_SERVER_NAME")


def pitr_archive_timeout() -> int:
    return int(_get("BACKUP_PITR_ARCHIVE_TIMEOUT"))


def base_schedule() -> str:
    return _get("BACKUP_BASE_SCHEDULE")


def pitr_retention_days() -> int:
    value = _get("BACKUP_PITR_RETENTION_DAYS")
    return retention_days() if value is None else int(value)


def pitr_drill_schedule() -> str:
    return _get("BACKUP_PITR_DRILL_SCHEDULE")


def pitr_pg_dsn() -> str:
    return _get("BACKUP_PITR_PG_DSN")


def pitr_os_user() -> str:
    return _get("BACKUP_PITR_OS_USER")


def split_queues(value: str | None) -> list[str]:
    """BACKUP_PITR_BASE_QUEUE's queues: none (the default queue), one, or one per cluster member."""
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def pitr_base_queues() -> list[str]:
    return split_queues(_get("BACKUP_PITR_BASE_QUEUE"))


def aws_options() -> dict:
    """The S3 store's credentials, region and endpoint for barman-cloud's boto3 ("" where boto3 looks elsewhere)."""
    options = s3_options()
    return {"access_key": options.get("access_key") or "", "secret_key": options.get("secret_key") or "",
            "region": options.get("region_name") or "", "endpoint_url": options.get("endpoint_url") or ""}
