"""Refuse cookie-authenticated unsafe requests that a browser says come from another site.

SameSite=Lax cookies still ride along on a cross-site top-level form POST, and a form without a
body needs no JSON parser: without this check such a form could log a user out or start a backup.
Browsers say where a request comes from in Sec-Fetch-Site (all current ones) or, failing that,
in Origin. Clients that send neither (curl, k6, Artillery) are not browsers and are not a CSRF
vector, so they pass; Bearer clients are never checked (a foreign site cannot set that header).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from rest_framework.exceptions import PermissionDenied

from .cookies import ACCESS_COOKIE, REFRESH_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})  # "none": typed URL, bookmark


class CrossSiteRequest(PermissionDenied):
    default_detail = "Cross-site request refused: this action needs a same-origin request"
    default_code = "cross_site"


def cross_site(request) -> bool:
    """True when the browser reports another site or origin as the request's source."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ALLOWED_FETCH_SITES
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return False
    return not _own_origin(request, origin.strip())


def _own_origin(request, origin: str) -> bool:
    if origin in getattr(settings, "CSRF_TRUSTED_ORIGINS", []):
        return True
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    # Host only, not the scheme: behind a TLS-terminating proxy Django may see http.
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def refuse_cross_site(request) -> None:
    """Raise CrossSiteRequest (403) for an unsafe cross-site request."""
    if request.method not in SAFE_METHODS and cross_site(request):
        raise CrossSiteRequest()


def refuse_cross_site_with_cookies(request) -> None:
    """For endpoints that read the auth cookies themselves (refresh, logout)."""
    if ACCESS_COOKIE in request.COOKIES or REFRESH_COOKIE in request.COOKIES:
        refuse_cross_site(request)
