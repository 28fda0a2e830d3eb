"""Tell the rate limiter who is signed in, without a database query (ops.ratelimit resolver)."""
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings

from .authentication import ACCESS_COOKIE, CookieJWTAuthentication


def jwt_user_id(request):
    """The user id of a valid access token (Bearer header or cookie), else None.

    The signature and expiry are checked (through the authentication's per-process cache of verified
    tokens: no second decode); the user row is not (the view does that).
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or raw.strip() in ("", "undefined", "null"):
        raw = request.COOKIES.get(ACCESS_COOKIE, "")
    if not raw:
        return None
    try:
        return _AUTH.get_validated_token(raw.strip().encode())[api_settings.USER_ID_CLAIM]
    except (InvalidToken, TokenError, KeyError):
        return None


_AUTH = CookieJWTAuthentication()
