"""Accounts settings: defaults declared once in DEFAULTS, read at call time (ops.appsettings)."""
from django.conf import settings

from ops.appsettings import AppSettings

DEFAULTS = {
    "AUTH_REVOCATION_CACHE_ALIAS": "default",  # the django-redis cache holding revoked sessions
    "REFRESH_REUSE_GRACE_SECONDS": 10,    # browser wiki only: a just-rotated refresh cookie still
                                          # gets an access token (no refresh token) this long, for
                                          # tabs refreshing at once; 0: reuse at once (as the API)
    "REGISTRATION": "open",               # who may sign up: open | invite (a staff member's link) | closed
    "REGISTRATION_ALLOWED_DOMAINS": [],   # open sign-up only for these email domains (empty: any)
    "INVITATION_MAX_AGE_DAYS": 7,         # an invitation link works this long, once
}
app_settings = AppSettings(DEFAULTS)


def revocation_alias() -> str:
    return app_settings.AUTH_REVOCATION_CACHE_ALIAS


def access_lifetime_seconds() -> int:
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())


def refresh_reuse_grace() -> float:
    return float(app_settings.REFRESH_REUSE_GRACE_SECONDS)


REGISTRATION_MODES = ("open", "invite", "closed")


def registration() -> str:
    return str(app_settings.REGISTRATION).strip().lower()


def allowed_domains() -> list[str]:
    return [d.strip().lower().lstrip("@") for d in app_settings.REGISTRATION_ALLOWED_DOMAINS if d.strip()]


def invitation_max_age_days() -> float:
    return float(app_settings.INVITATION_MAX_AGE_DAYS)
