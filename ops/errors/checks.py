"""System checks: a DSN Sentry would reject, a sample rate outside 0..1, a traces rule that does not compile."""
import re

from django.core.checks import Error
from sentry_sdk.utils import BadDsn, Dsn

from . import conf, sampling


def check_sentry_settings(app_configs=None, **kwargs):
    errors = []
    value = conf.dsn()
    if value:
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
    for name, spec in conf.traces_rules().items():
        try:
            sampling.build_rule(name, spec, max(0.0, min(1.0, rate)))
        except (TypeError, ValueError, AttributeError, re.error) as exc:
            errors.append(Error(f"SENTRY_TRACES_RULES[{name!r}] is invalid: {exc}",
                                hint='A rule has regex "paths", optional "methods", and "rate" (0..1) or "weight" (>= 0).',
                                id="ops_errors.E003"))
    return errors
