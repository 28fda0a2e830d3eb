"""Settings of the health app: defaults declared once in DEFAULTS, read at call time (ops.appsettings)."""

from django.conf import settings

from ops.appsettings import AppSettings
from ops.redis_settings import redis_topology, server_url
from ops.revision import short_sha

DEFAULTS = {
    "HEALTH_TIMEOUT": 2.0,                # seconds one check may take before it counts as down
    "HEALTH_CACHE_SECONDS": 2.0,          # a process reuses its last result this long (0: every request)
    "HEALTH_MAX_THREADS": 8,              # threads per process running checks (a hung one holds one)
    "HEALTH_REDIS_CACHE": "default",      # django-redis cache alias to ping (else REDIS_URL is used,
                                          # with REDIS_PASSWORD and REDIS_DB: ops.redis_settings)
    "HEALTH_WAIT_SECONDS": 0.5,           # a request with a previous answer to give waits this long
                                          # for a refresh, then gives it (the refresh goes on)
    "HEALTH_CELERY_HEARTBEAT_SECONDS": 5.0,  # how often each Celery worker writes its heartbeat
    "HEALTH_CELERY_HEARTBEAT_MAX_AGE": 20.0,  # seconds; an older heartbeat does not count as a live worker
    "HEALTH_CELERY_HEARTBEAT_KEY": "ops-health:celery-workers",  # Redis hash: hostname → time
}
app_settings = AppSettings(DEFAULTS)


def timeout() -> float:
    return float(app_settings.HEALTH_TIMEOUT)


def cache_seconds() -> float:
    return float(app_settings.HEALTH_CACHE_SECONDS)


def max_threads() -> int:
    return int(app_settings.HEALTH_MAX_THREADS)


def wait_seconds() -> float:
    return float(app_settings.HEALTH_WAIT_SECONDS)


def celery_heartbeat_seconds() -> float:
    return float(app_settings.HEALTH_CELERY_HEARTBEAT_SECONDS)


def celery_heartbeat_max_age() -> float:
    return float(app_settings.HEALTH_CELERY_HEARTBEAT_MAX_AGE)


def celery_heartbeat_key() -> str:
    return app_settings.HEALTH_CELERY_HEARTBEAT_KEY


def redis_cache_alias() -> str:
    return app_settings.HEALTH_REDIS_CACHE


def redis_url() -> str:
    return getattr(settings, "REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_server_url() -> str:
    """REDIS_URL with REDIS_PASSWORD and REDIS_DB applied, as ops.cache builds it for every client."""
    topology = redis_topology(url=redis_url(), password=getattr(settings, "REDIS_PASSWORD", "") or "",
                              db=getattr(settings, "REDIS_DB", "") or "")
    return server_url(topology)


def version() -> str:
    return str(getattr(settings, "VERSION", ""))


def revision() -> str:
    """The short git SHA of the running code (ops.revision: GIT_SHA, else the checkout's HEAD, else "")."""
    return short_sha()
