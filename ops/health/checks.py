"""System checks for the health settings."""
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from . import conf


@register()
def check_health_settings(app_configs=None, **kwargs):
    errors = []
    try:
        if conf.timeout() <= 0:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(Error("HEALTH_TIMEOUT must be a positive number of seconds", id="ops_health.E001"))
    from django.conf import settings

    path = getattr(settings, "HEALTH_BACKUP_LAST_SUCCESS", "ops.health.probes.newest_backup_file")
    try:
        import_string(path)
    except ImportError:
        errors.append(Error(f"HEALTH_BACKUP_LAST_SUCCESS {path!r} cannot be imported", id="ops_health.E002"))
    return errors
