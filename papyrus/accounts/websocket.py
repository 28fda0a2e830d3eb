"""Who opened a WebSocket: the same JWT rules as the API (REALTIME_AUTHENTICATOR points here)."""
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from ops.realtime.auth import bearer_token, cookies

from . import principal
from .authentication import ACCESS_COOKIE, CookieJWTAuthentication

EMPTY_BEARERS = ("undefined", "null")


def authenticate_scope(scope):
    """(user, token expiry) from `Authorization: Bearer` or the accessToken cookie; None when
    there is no token, or it is invalid, expired, or names an unknown or inactive user."""
    raw = bearer_token(scope)
    if raw in EMPTY_BEARERS or raw is None:
        raw = cookies(scope).get(ACCESS_COOKIE)
    if not raw:
        return None
    auth = CookieJWTAuthentication()
    try:
        token = auth.get_validated_token(raw.encode())
        return principal.without_snapshot(auth.get_user(token)), float(token["exp"])
    except (InvalidToken, TokenError, AuthenticationFailed, KeyError):
        return None
