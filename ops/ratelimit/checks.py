"""System checks: every rule must compile, and the backend must import."""
from django.core.checks import Error
from django.utils.module_loading import import_string

from . import conf, rules


def check_rules(app_configs=None, **kwargs):
    errors = []
    for name, spec in rules.merged_rules().items():
        try:
            rules.build_rule(name, spec)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            errors.append(Error(f"RATELIMIT_RULES[{name!r}] is invalid: {exc!r}",
                                hint='A rule needs positive "limit" and "period", regex "paths", and keys among '
                                     '"client", "ip", "body:<field>" (or joined by "+"); "limits" only for its keys.',
                                id="ops_ratelimit.E001"))
    return errors


def check_backend(app_configs=None, **kwargs):
    for label, path in [("RATELIMIT_BACKEND", conf.backend_path()),
                        *(("RATELIMIT_USER_RESOLVERS", p) for p in conf.user_resolvers())]:
        try:
            import_string(path)
        except ImportError as exc:
            return [Error(f"{label} {path!r} cannot be imported: {exc}", id="ops_ratelimit.E002")]
    return []
