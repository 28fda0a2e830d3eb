"""Who may read /metrics: METRICS_ALLOWED_IPS (403 otherwise), then METRICS_TOKEN (401 otherwise).

With neither set, loopback and private addresses only (conf.DEFAULT_ALLOWED_IPS), as GitLab's
monitoring allowlist does: an unconfigured server is not open to the internet."""
from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.http import JsonResponse

from ops.requestfacts import client_ip

from . import conf


FORBIDDEN = "Forbidden: this address may not read metrics"
UNAUTHENTICATED = "Authentication required: send Authorization: Bearer <token>"
CHALLENGE = 'Bearer realm="metrics"'


def refusal(ip: str, authorization: str) -> tuple[int, str] | None:
    """(status, message) for a caller at `ip` sending this Authorization header that may not
    scrape (403, then 401), or None when it may. The one rule of the view and the exporter."""
    ips = conf.allowed_ips() or (() if conf.token() else conf.DEFAULT_ALLOWED_IPS)
    if ips and not ip_allowed(ip, ips):
        return 403, FORBIDDEN
    token = conf.token()
    scheme, _, given = authorization.partition(" ")
    if token and not (scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())):
        return 401, UNAUTHENTICATED
    return None


def denial(request) -> JsonResponse | None:
    """The error response for a caller that may not scrape, or None when it may."""
    refused = refusal(client_ip(request), request.META.get("HTTP_AUTHORIZATION", ""))
    if refused is None:
        return None
    response = JsonResponse({"message": refused[1]}, status=refused[0])
    if refused[0] == 401:
        response["WWW-Authenticate"] = CHALLENGE
    return response


def ip_allowed(ip: str, allowed: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return any(address in network for network in networks(allowed))


@lru_cache(maxsize=8)
def networks(allowed: tuple[str, ...]) -> tuple:
    """Parsed entries (single IPs become /32 or /128); invalid ones are skipped (check E001 names them)."""
    parsed = []
    for entry in allowed:
        try:
            parsed.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return tuple(parsed)


def invalid_entries(allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for entry in allowed:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            bad.append(entry)
    return bad
