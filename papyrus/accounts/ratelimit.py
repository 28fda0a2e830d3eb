"""Tell the rate limiter who is signed in, without a database query (ops.ratelimit resolver)."""
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from .authentication import ACCESS_COOKIE


def jwt_user_id(request):
    """The user id of a valid access token (Bearer header or cookie), else None.

    The signature and expiry are checked; the user row is not (the view does that).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or raw.strip() in ("", "undefined", "null"):
        raw = request.COOKIES.get(ACCESS_COOKIE, "")
    if not raw:
        return None
    try:
        return AccessToken(raw.strip())[api_settings.USER_ID_CLAIM]
    except (TokenError, KeyError):
        return None
