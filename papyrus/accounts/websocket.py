"""Who opened a WebSocket: the same JWT rules as the API (REALTIME_AUTHENTICATOR points here)."""
from ops.realtime.auth import cookies, header

from . import principal
from .authentication import CookieJWTAuthentication, access_token


def authenticate_scope(scope):
    """(user, token expiry) from `Authorization: Bearer` or the accessToken cookie; None when
    there is no token, or it is invalid, expired, or names an unknown or inactive user."""
    found = access_token(header(scope, b"authorization"), cookies(scope))
    authenticated = CookieJWTAuthentication().user_for(found[0]) if found else None
    if authenticated is None:
        return None
    user, token = authenticated
    return principal.without_snapshot(user), float(token["exp"])
