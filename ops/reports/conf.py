"""ops.reports settings: defaults declared once in DEFAULTS, read at call time (ops.appsettings).

Sibling apps' settings are read through their own conf modules: LOG_DIR (ops.logging),
METRICS_TOKEN (ops.metrics), PROMETHEUS_PREFIX (ops.requestfacts), SENTRY_* (ops.errors).
"""

from ops.appsettings import AppSettings

DEFAULTS = {
    "OPS_DIGEST_PROMETHEUS_URL": "",      # Prometheus for the performance summary ("" = scrape /metrics)
    "OPS_DIGEST_METRICS_URL": "http://127.0.0.1:8000/metrics",  # the /metrics the summary scrapes otherwise
    "OPS_DIGEST_TOP": 10,                 # rows in each top list
    "OPS_DIGEST_SENTRY": True,            # scheduled digests also go to Sentry when it is on
    "OPS_DIGEST_ERRORS_SCHEDULE": "0 7 * * 1",  # cron of the weekly error digest (schedule.beat_schedule)
    "OPS_DIGEST_PERFORMANCE_SCHEDULE": "15 7 * * 1",  # cron of the weekly performance summary
}
app_settings = AppSettings(DEFAULTS)

SCHEDULE_SETTINGS = ("OPS_DIGEST_ERRORS_SCHEDULE", "OPS_DIGEST_PERFORMANCE_SCHEDULE")


def prometheus_url() -> str:
    return app_settings.OPS_DIGEST_PROMETHEUS_URL or ""


def metrics_url() -> str:
    return app_settings.OPS_DIGEST_METRICS_URL or DEFAULTS["OPS_DIGEST_METRICS_URL"]


def digest_top() -> int:
    return int(app_settings.OPS_DIGEST_TOP)


def digest_to_sentry() -> bool:
    return bool(app_settings.OPS_DIGEST_SENTRY)
