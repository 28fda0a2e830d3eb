"""System checks for ops.reports' settings."""

from ops.cron import cron_errors

from .conf import SCHEDULE_SETTINGS, app_settings


def check_digest_schedules(app_configs=None, **kwargs):
    """ops_reports.E001: a digest schedule that is not a valid cron would never run."""
    return cron_errors([(name, getattr(app_settings, name), "ops_reports.E001") for name in SCHEDULE_SETTINGS])
