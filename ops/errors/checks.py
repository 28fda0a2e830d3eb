"""System checks: a DSN Sentry would reject and a sample rate outside 0..1."""
from django.core.checks import Error, register

from . import conf


@register()
def check_sentry_settings(app_configs=None, **kwargs):
    errors = []
    value = conf.dsn()
    if value:
        from sentry_sdk.utils import BadDsn, Dsn

        try:
            Dsn(value)
        except BadDsn:
            errors.append(Error("SENTRY_DSN is not a valid Sentry DSN", id="ops_errors.E001"))
    try:
        rate = conf.traces_sample_rate()
    except (TypeError, ValueError):
        rate = -1
    if not 0 <= rate <= 1:
        errors.append(Error("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1", id="ops_errors.E002"))
    return errors
