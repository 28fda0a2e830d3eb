"""Settings of the errors app, read at call time.

SENTRY_DSN = ""                   # empty: Sentry off, every helper is a no-op, no middleware work
SENTRY_ENVIRONMENT = ""           # default: the settings module's last part (dev, prod, test)
SENTRY_RELEASE = ""               # default: git SHA (GIT_SHA env or `git rev-parse`), else VERSION
SENTRY_TRACES_SAMPLE_RATE = 0.1   # share of requests/tasks sent as transactions; 0 = tracing off
SENTRY_TRACES_RULES = {}          # per-route rates, first match wins (see sampling.py):
    # {"page_reads": {"methods": ["GET"], "paths": [r"^/api/pages(/\\d+)?$"], "weight": 0.1},
    #  "probes": {"paths": [r"^/health"], "rate": 0}}
    # "weight" multiplies SENTRY_TRACES_SAMPLE_RATE (capped at 1); "rate" is absolute.
DATABASE_UNAVAILABLE_RETRY_AFTER = 5     # Retry-After (s) of the 503 a database outage gets (unavailable.py)
DATABASE_UNAVAILABLE_LOG_INTERVAL = 10   # s between two "database unavailable" warnings per process
"""
import os

from django.conf import settings

from ops.appsettings import AppSettings
from ops.revision import git_sha as sha

DEFAULTS = {
    "SENTRY_DSN": "",                     # empty: Sentry off, every helper is a no-op, no middleware work
    "SENTRY_ENVIRONMENT": "",             # default: the settings module's last part (dev, prod, test)
    "SENTRY_RELEASE": "",                 # default: git SHA (GIT_SHA env or `git rev-parse`), else VERSION
    "SENTRY_TRACES_SAMPLE_RATE": 0.1,     # share of requests/tasks sent as transactions; 0 = tracing off
    "SENTRY_TRACES_RULES": {},            # per-route rates, first match wins (see sampling.py):
                                          # {"page_reads": {"methods": ["GET"], "paths": [r"^/api/pages(/\d+)?$"], "weight": 0.1},
                                          #  "probes": {"paths": [r"^/health"], "rate": 0}}
                                          # "weight" multiplies SENTRY_TRACES_SAMPLE_RATE (capped at 1); "rate" is absolute.
    "DATABASE_UNAVAILABLE_RETRY_AFTER": 5,  # Retry-After (s) of the 503 a database outage gets (unavailable.py)
    "DATABASE_UNAVAILABLE_LOG_INTERVAL": 10,  # s between two "database unavailable" warnings per process
}
app_settings = AppSettings(DEFAULTS)


def dsn() -> str:
    return app_settings.SENTRY_DSN or ""


def environment() -> str:
    configured = app_settings.SENTRY_ENVIRONMENT
    if configured:
        return configured
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "") or getattr(settings, "SETTINGS_MODULE", "")
    return module.rsplit(".", 1)[-1] or "production"


def release() -> str:
    return app_settings.SENTRY_RELEASE or git_sha() or str(getattr(settings, "VERSION", ""))


def traces_sample_rate() -> float:
    return float(app_settings.SENTRY_TRACES_SAMPLE_RATE)


def traces_rules() -> dict:
    return dict(app_settings.SENTRY_TRACES_RULES or {})


def database_unavailable_retry_after() -> int:
    return int(app_settings.DATABASE_UNAVAILABLE_RETRY_AFTER)


def database_unavailable_log_interval() -> float:
    return float(app_settings.DATABASE_UNAVAILABLE_LOG_INTERVAL)


def git_sha() -> str:
    """The running code's git SHA (ops.revision: GIT_SHA, else the checkout's HEAD, else "")."""
    return sha()
