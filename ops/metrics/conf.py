"""Settings of ops.metrics, read at call time (so override_settings works).

ENABLE_PROMETHEUS = True            # False: no /metrics (404), no middleware, no DB/Celery hooks
PROMETHEUS_PREFIX = "papyrus_"      # prepended to every series this app exposes
METRICS_TOKEN = ""                  # when set, /metrics needs "Authorization: Bearer <token>" (else 401)
METRICS_ALLOWED_IPS = []            # when set, /metrics only answers these IPs / CIDRs (else 403);
                                    # neither this nor the token set: DEFAULT_ALLOWED_IPS
METRICS_CLIENT_IP_HEADER = ""       # e.g. "HTTP_X_FORWARDED_FOR" behind a trusted proxy; its last
                                    # address is the client (default: REMOTE_ADDR)

The multiprocess directory is the PROMETHEUS_MULTIPROC_DIR *environment* variable, because
prometheus_client decides at import time whether values go to files (see multiproc.py).
"""
from django.conf import settings

DEFAULT_PREFIX = "papyrus_"
# Loopback and private ranges (RFC 1918, IPv6 unique local): who may scrape when nothing is configured.
DEFAULT_ALLOWED_IPS = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")


def enabled() -> bool:
    return bool(getattr(settings, "ENABLE_PROMETHEUS", True))


def prefix() -> str:
    value = getattr(settings, "PROMETHEUS_PREFIX", DEFAULT_PREFIX)
    return DEFAULT_PREFIX if value is None else str(value)


def token() -> str:
    return getattr(settings, "METRICS_TOKEN", "") or ""


def allowed_ips() -> tuple[str, ...]:
    value = getattr(settings, "METRICS_ALLOWED_IPS", ()) or ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value if v and v.strip())


def client_ip_header() -> str:
    return getattr(settings, "METRICS_CLIENT_IP_HEADER", "") or ""
