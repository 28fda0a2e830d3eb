"""System checks for the health settings."""
from django.core.checks import Error

from . import conf


def check_health_settings(app_configs=None, **kwargs):
    try:
        if conf.timeout() <= 0:
            raise ValueError
    except (TypeError, ValueError):
        return [Error("HEALTH_TIMEOUT must be a positive number of seconds", id="ops_health.E001")]
    return []
