"""Facts about the request being served, owned once for logs, metrics, rate limiting and Sentry.

- `route(request, status)`: the URL pattern that served it, as `/api/pages/{page_id}`, or UNMATCHED.
  Computed once per request (kept on the request) and once per pattern (kept per process).
- `client_ip(request)`: the client address under one policy (settings below).
- `prefix()`: PROMETHEUS_PREFIX, the one reader of that setting (default "", the project sets its own).

Settings (read at call time):
    TRUSTED_PROXIES = 0        # proxies in front that each append the address they saw to the header
    CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"   # the header those proxies append to
    PROMETHEUS_PREFIX = ""     # prepended to every series the ops apps register
Older settings still honoured when TRUSTED_PROXIES is absent: RATELIMIT_TRUSTED_PROXIES (hops) and
METRICS_CLIENT_IP_HEADER (a header whose last address is the client: one hop).
"""
from __future__ import annotations

import ipaddress
import re

from django.conf import settings
from django.urls import Resolver404, get_resolver

UNMATCHED = "<unmatched>"  # no pattern matched: cannot collide with a real route (they start with "/")
DEFAULT_PREFIX = ""
DEFAULT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

_CONVERTER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
_NAMED_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")
_labels: dict[str, str] = {}
_ROUTE_ATTR = "_ops_route"
_IP_ATTR = "_ops_client_ip"


def prefix() -> str:
    """PROMETHEUS_PREFIX ("" when unset or None)."""
    value = getattr(settings, "PROMETHEUS_PREFIX", DEFAULT_PREFIX)
    return DEFAULT_PREFIX if value is None else str(value)


# --- route ------------------------------------------------------------------------------------

def route(request, status: int | None = None) -> str:
    """The route label of `request`, computed on first call and kept on the request.

    A response a middleware made before URL resolution (429, 503, redirects) still names its
    route; a 404 without a match is UNMATCHED (scanning random paths creates no series).
    """
    known = request.__dict__.get(_ROUTE_ATTR)
    if known is not None:
        return known
    match = getattr(request, "resolver_match", None)
    if match is None and status is not None and status != 404:
        match = _resolve_quietly(request)
    label = route_label(match)
    if match is not None or status is not None:  # an unresolved request may still resolve later
        request.__dict__[_ROUTE_ATTR] = label
    return label


def route_label(resolver_match) -> str:
    """The label of a ResolverMatch (None → UNMATCHED); computed once per pattern."""
    if resolver_match is None:
        return UNMATCHED
    raw = resolver_match.route
    try:
        return _labels[raw]
    except KeyError:
        label = pattern_to_label(raw)
        if len(_labels) < 4096:  # patterns are finite; the bound only guards against misuse
            _labels[raw] = label
        return label


def pattern_to_label(pattern: str) -> str:
    """`api/pages/<int:page_id>` → `/api/pages/{page_id}`; `^x/(?P<slug>[^/]+)$` → `/x/{slug}`."""
    label = _NAMED_GROUP.sub(r"{\1}", pattern or "")  # before converters: both use <name>
    label = _CONVERTER.sub(r"{\1}", label).replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + label.lstrip("/")


def _resolve_quietly(request):
    try:
        return get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None


# --- client IP --------------------------------------------------------------------------------

def trusted_proxies() -> int:
    value = getattr(settings, "TRUSTED_PROXIES", None)
    if value is None:  # older settings: the rate limiter's hop count, or the metrics header (one hop)
        value = getattr(settings, "RATELIMIT_TRUSTED_PROXIES", 0) or (1 if _legacy_header() else 0)
    return max(0, int(value or 0))


def client_ip_header() -> str:
    return getattr(settings, "CLIENT_IP_HEADER", "") or _legacy_header() or DEFAULT_CLIENT_IP_HEADER


def _legacy_header() -> str:
    return getattr(settings, "METRICS_CLIENT_IP_HEADER", "") or ""


def client_ip(request) -> str:
    """REMOTE_ADDR, or the address TRUSTED_PROXIES hops back in CLIENT_IP_HEADER; kept on the request.

    With N trusted proxies, each appending the address it saw, the client is the N-th entry
    from the right; anything further left is client-supplied and ignored. A malformed entry
    falls back to REMOTE_ADDR.
    """
    known = request.__dict__.get(_IP_ATTR)
    if known is None:
        known = request.__dict__[_IP_ATTR] = _client_ip(request.META)
    return known


def _client_ip(meta) -> str:
    remote = meta.get("REMOTE_ADDR", "") or "unknown"
    hops = trusted_proxies()
    if hops <= 0:
        return remote
    forwarded = meta.get(client_ip_header(), "")
    if not forwarded:
        return remote
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not chain:
        return remote
    candidate = chain[-hops] if len(chain) >= hops else chain[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
