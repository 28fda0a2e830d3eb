"""The checks behind /health: database, redis, celery, storage, backups."""
from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
import time
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections

from ops.cache.client import is_redis_cache, redis_client, url_client

from . import conf
from .base import CheckFailed, HealthCheck


class Database(HealthCheck):
    """SELECT 1 on a fresh connection (closed afterwards), with a connect timeout."""

    name = "database"

    def __init__(self, alias: str = "default"):
        self.alias = alias

    def run(self):
        wrapper = connections.create_connection(self.alias)
        if wrapper.vendor == "postgresql":
            options = {**wrapper.settings_dict.get("OPTIONS", {}), "connect_timeout": max(1, math.ceil(self.budget()))}
            wrapper.settings_dict = {**wrapper.settings_dict, "OPTIONS": options}
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # noqa: BLE001 - the driver's message may carry the DSN
            raise CheckFailed("database unavailable") from exc
        finally:
            wrapper.close()


class Redis(HealthCheck):
    """PING through the django-redis cache (Sentinel/Cluster aware), else REDIS_URL."""

    name = "redis"

    def run(self):
        try:
            self.client().ping()
        except Exception as exc:  # noqa: BLE001
            raise CheckFailed("redis unavailable") from exc

    def client(self):
        alias = conf.redis_cache_alias()
        if is_redis_cache(alias):
            return redis_client(alias)
        return url_client(conf.redis_url(), timeout=self.budget())


class Celery(HealthCheck):
    """A worker wrote its heartbeat within HEALTH_CELERY_HEARTBEAT_MAX_AGE (ops.health.heartbeat):
    one HGETALL, so a dead broker or worker costs /health milliseconds, not a ping's wait."""

    name = "celery"

    def run(self):
        from .heartbeat import fresh_workers

        try:
            workers = fresh_workers(Redis().client())
        except Exception as exc:  # noqa: BLE001
            raise CheckFailed("broker unavailable") from exc
        if not workers:
            raise CheckFailed("no worker answered")
        return f"{len(workers)} worker(s), last heartbeat {min(workers.values()):.1f} s ago"


class Storage(HealthCheck):
    """BACKUP_DIR accepts a file; with a HEALTH_STORAGE_ALIAS in STORAGES, that store accepts one too."""

    name = "storage"

    def run(self):
        directory = Path(conf.backup_dir())
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=directory, prefix=".health-") as probe:
                probe.write(b"ok")
                probe.flush()
        except OSError as exc:
            raise CheckFailed("backup directory not writable") from exc
        params = conf.storage_params()
        if params:
            self._probe_store(params)
            return "directory and bucket writable"
        return "directory writable"

    def _probe_store(self, params: dict) -> None:
        try:
            store = storages.create_storage(params)
            saved = store.save(f".health/{os.uname().nodename}-{os.getpid()}", ContentFile(b"ok"))
            store.delete(saved)
        except Exception as exc:  # noqa: BLE001
            raise CheckFailed("backup bucket not writable") from exc


class Backups(HealthCheck):
    """When BACKUP_ENABLED, the last successful backup is younger than HEALTH_BACKUP_MAX_AGE."""

    name = "backups"

    def run(self):
        if not conf.backup_enabled():
            return "disabled"
        last = conf.backup_last_success()
        if last is None:
            raise CheckFailed("no successful backup yet")
        finished = last.timestamp() if isinstance(last, dt.datetime) else float(last)
        age, limit = time.time() - finished, conf.backup_max_age()
        if age > limit:
            raise CheckFailed(f"last backup {age / 3600:.1f} h ago (limit {limit / 3600:g} h)")
        return f"last backup {age / 3600:.1f} h ago"


def newest_backup_file() -> float | None:
    """Default HEALTH_BACKUP_LAST_SUCCESS: mtime of the newest backup_*.sql.gz in BACKUP_DIR."""
    directory = Path(conf.backup_dir())
    times = [p.stat().st_mtime for p in directory.glob("backup_*.sql.gz")] if directory.is_dir() else []
    return max(times, default=None)
