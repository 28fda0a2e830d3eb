"""Tell the rate limiter who is signed in, without a database query (ops.ratelimit resolver)."""
from .authentication import CookieJWTAuthentication, access_token

_AUTH = CookieJWTAuthentication()


def jwt_user_id(request):
    """The user id of a valid access token (the API's token rule: Bearer header, else the cookie), else None.

    The signature and expiry are checked (through the authentication's per-process cache of verified
    tokens: no second decode); the user row is not (the view does that).
    """
    found = access_token(request.META.get("HTTP_AUTHORIZATION"), request.COOKIES)
    return _AUTH.user_id_for(found[0]) if found else None
