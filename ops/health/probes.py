"""The dependency checks: database, redis, celery, and the writable-directory probe others reuse."""
from __future__ import annotations

import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

from ops.logging.masking import mask_url_passwords

from . import conf, connection
from .base import CheckFailed, HealthCheck
from .heartbeat import fresh_workers


class Database(HealthCheck):
    """SELECT 1 on a fresh connection (closed afterwards), with a connect timeout."""

    name = "database"

    def __init__(self, alias: str = "default"):
        self.alias = alias

    def run(self):
        try:
            with self.connection() as wrapper, wrapper.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:  # noqa: BLE001 - the driver's message may carry the DSN
            raise CheckFailed("database unavailable") from exc

    @contextmanager
    def connection(self):
        """A new connection to `alias` (not the thread's shared one) that gives up connecting within the budget."""
        wrapper = connections.create_connection(self.alias)
        if wrapper.vendor == "postgresql":
            options = {**wrapper.settings_dict.get("OPTIONS", {}), "connect_timeout": max(1, math.ceil(self.budget()))}
            wrapper.settings_dict = {**wrapper.settings_dict, "OPTIONS": options}
        try:
            yield wrapper
        finally:
            wrapper.close()


class Redis(HealthCheck):
    """PING through the django-redis cache `alias` (Sentinel/Cluster aware; HEALTH_REDIS_CACHE by
    default), else REDIS_URL with REDIS_PASSWORD and REDIS_DB applied."""

    name = "redis"

    def __init__(self, alias: str | None = None):
        self.alias = alias

    def run(self):
        try:
            self.client().ping()
        except Exception as exc:  # noqa: BLE001
            raise CheckFailed("redis unavailable") from exc

    def cache_alias(self) -> str | None:
        """The django-redis cache to go through, or None when there is none (REDIS_URL is used)."""
        return connection.cache_alias(self.alias)

    def client(self):
        return connection.client(self.alias, timeout=self.budget())

    def where(self) -> str:
        """Where the client connects, printable (passwords masked)."""
        alias = self.cache_alias()
        if alias is None:
            return mask_url_passwords(conf.redis_url(), "***")
        location = settings.CACHES[alias].get("LOCATION", "")
        location = ", ".join(location) if isinstance(location, (list, tuple)) else str(location)
        return f"cache {alias!r} at {mask_url_passwords(location, '***')}"


class Celery(HealthCheck):
    """A worker wrote its heartbeat within HEALTH_CELERY_HEARTBEAT_MAX_AGE (ops.health.heartbeat):
    one HGETALL, so a dead broker or worker costs /health milliseconds, not a ping's wait."""

    name = "celery"

    def run(self):
        try:
            workers = fresh_workers(Redis().client())
        except Exception as exc:  # noqa: BLE001
            raise CheckFailed("broker unavailable") from exc
        if not workers:
            raise CheckFailed("no worker answered")
        return f"{len(workers)} worker(s), last heartbeat {min(workers.values()):.1f} s ago"


def probe_directory(path: str | Path, prefix: str = ".ops-probe-") -> Path:
    """Create `path` if missing and write, sync and delete a file there; OSError when it cannot."""
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=prefix, delete=True) as probe:
        probe.write(b"probe\n")
        probe.flush()
        os.fsync(probe.fileno())
    return directory
