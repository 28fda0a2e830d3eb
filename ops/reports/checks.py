"""System checks for ops.reports' settings."""
from django.conf import settings
from django.core.checks import Error, register

from ops.cron import InvalidCron, parse_cron

from .conf import SCHEDULE_SETTINGS


@register()
def check_digest_schedules(app_configs=None, **kwargs):
    """ops_reports.E001: a digest schedule that is not a valid cron would never run."""
    errors = []
    for name in SCHEDULE_SETTINGS:
        value = getattr(settings, name, None)
        if value is None:
            continue
        try:
            parse_cron(value)
        except InvalidCron as exc:
            errors.append(Error(f"{name} is not a valid cron expression: {exc}",
                                hint="Use 5 fields: minute hour day-of-month month day-of-week.",
                                obj=name, id="ops_reports.E001"))
    return errors
