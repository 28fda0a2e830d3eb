"""Accounts settings, read at call time.

    AUTH_REVOCATION_CACHE_ALIAS = "default"  # the django-redis cache holding revoked sessions
    REFRESH_REUSE_GRACE_SECONDS = 10          # browser wiki only: a just-rotated refresh cookie still
                                              # gets an access token (no refresh token) this long, for
                                              # tabs refreshing at once; 0: reuse at once (as the API)
"""
from django.conf import settings


def revocation_alias() -> str:
    return getattr(settings, "AUTH_REVOCATION_CACHE_ALIAS", "default")


def access_lifetime_seconds() -> int:
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())


def refresh_reuse_grace() -> float:
    return float(getattr(settings, "REFRESH_REUSE_GRACE_SECONDS", 10))
