"""Settings of ops.metrics, read at call time (so override_settings works).

ENABLE_PROMETHEUS = True            # False: no /metrics (404), no middleware, no DB/Celery hooks
PROMETHEUS_PREFIX = ""              # prepended to every series (read by ops.requestfacts.prefix)
METRICS_TOKEN = ""                  # when set, /metrics needs "Authorization: Bearer <token>" (else 401)
METRICS_ALLOWED_IPS = []            # when set, /metrics only answers these IPs / CIDRs (else 403);
                                    # neither this nor the token set: DEFAULT_ALLOWED_IPS
METRICS_EXPORTER_PORT = 0           # > 0: Celery worker and beat serve /metrics on this port (exporter.py)
The client address checked against METRICS_ALLOWED_IPS is ops.requestfacts.client_ip (TRUSTED_PROXIES).

The multiprocess directory is the PROMETHEUS_MULTIPROC_DIR *environment* variable, because
prometheus_client decides at import time whether values go to files (see multiproc.py).
"""
from django.conf import settings

from ops import requestfacts

# Loopback and private ranges (RFC 1918, IPv6 unique local): who may scrape when nothing is configured.
DEFAULT_ALLOWED_IPS = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")


def enabled() -> bool:
    return bool(getattr(settings, "ENABLE_PROMETHEUS", True))


def prefix() -> str:
    return requestfacts.prefix()


def token() -> str:
    return getattr(settings, "METRICS_TOKEN", "") or ""


def allowed_ips() -> tuple[str, ...]:
    value = getattr(settings, "METRICS_ALLOWED_IPS", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value if v and v.strip())


def exporter_port() -> int:
    return int(getattr(settings, "METRICS_EXPORTER_PORT", 0) or 0)
