"""System checks of ops.metrics (ids ops_metrics.E001/E002/W001)."""
import os

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import access, conf, multiproc


@register()
def check_allowed_ips(app_configs=None, **kwargs):
    bad = access.invalid_entries(conf.allowed_ips())
    if not bad:
        return []
    return [Error(f"METRICS_ALLOWED_IPS has entries that are not IP addresses or CIDRs: {', '.join(bad)}",
                  hint="Use addresses like 10.0.0.5 or networks like 10.0.0.0/8, separated by commas.",
                  id="ops_metrics.E001")]


@register()
def check_multiproc_dir(app_configs=None, **kwargs):
    path = multiproc.directory()
    if not path or not conf.enabled() or (os.path.isdir(path) and os.access(path, os.W_OK)):
        return []
    return [Error(f"{multiproc.ENV}={path} is not a writable directory",
                  hint="Create and wipe it before the server starts: python -m ops.metrics.multiproc DIR",
                  id="ops_metrics.E002")]


@register()
def check_protected_in_prod(app_configs=None, **kwargs):
    if settings.DEBUG or not conf.enabled() or conf.token() or conf.allowed_ips():
        return []
    return [Warning("/metrics answers any loopback or private address (the default when unconfigured)",
                    hint="Set METRICS_TOKEN (Bearer) and/or METRICS_ALLOWED_IPS in production.",
                    id="ops_metrics.W001")]
