"""Accounts settings, read at call time.

    AUTH_REVOCATION_CACHE_ALIAS = "default"  # the django-redis cache holding revoked sessions
"""
from django.conf import settings


def revocation_alias() -> str:
    return getattr(settings, "AUTH_REVOCATION_CACHE_ALIAS", "default")


def access_lifetime_seconds() -> int:
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())
