"""JWT from an `Authorization: Bearer` header, else the `accessToken` cookie: the one token rule of
the API, the browser views (papyrus.web.auth), the rate limiter (ratelimit.py) and WebSockets
(websocket.py), all through `access_token` and CookieJWTAuthentication.

Beyond signature and expiry, an access token whose session (`sid`) was ended — logout, refresh
token reuse — is refused (see revocation.py). The check and the user it names (with the wiki's
teams) come from Redis in one round trip, usually with no database query (see principal.py).
A cookie used for an unsafe method must come from this site (see origin.py).
"""
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from . import principal
from .cookies import ACCESS_COOKIE
from .origin import refuse_cross_site

SESSION_CLAIM = "sid"
EMPTY_BEARERS = ("", "undefined", "null")  # a client template whose token was never captured
VERIFIED_CACHE_SIZE = 4096  # tokens per process; a user's requests reuse one access token for its hour

# raw access token → its verified token: a signature is verified once per process, not per request
# (PyJWT's decode was ~12 % of a signed-in request's CPU). Expiry is checked again on every use;
# revocation and the user are not cached here (principal.py does that, with invalidation).
_verified: dict[bytes, object] = {}


def access_token(authorization: str | None, cookies: Mapping[str, str]) -> tuple[str, bool] | None:
    """(raw access token, whether it came from the cookie) of a request or a WebSocket handshake:
    the `Authorization: Bearer` token, else the accessToken cookie; None when there is neither.
    An empty bearer, "undefined" or "null" defers to the cookie."""
    scheme, _, raw = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip() not in EMPTY_BEARERS:
        return raw.strip(), False
    raw = cookies.get(ACCESS_COOKIE)
    return (raw, True) if raw else None


class CookieJWTAuthentication(JWTAuthentication):
    def authenticate(self, request):
        found = access_token(request.META.get(api_settings.AUTH_HEADER_NAME), request.COOKIES)
        if found is None:
            return None
        raw, from_cookie = found
        if not from_cookie:
            return super().authenticate(request)
        refuse_cross_site(request)  # the browser attached the cookie; a foreign form must not use it
        try:
            token = self.get_validated_token(raw.encode())
            return self.get_user(token), token
        except InvalidToken:
            # A stale cookie must not lock a reader out of public pages.
            return None

    def user_for(self, raw: str):
        """(user, validated token) of a raw access token; None when it is invalid, expired or revoked,
        or names an unknown or inactive user (the browser views and WebSockets: anonymous then)."""
        try:
            token = self.get_validated_token(raw.encode())
            return self.get_user(token), token
        except (InvalidToken, TokenError, AuthenticationFailed, KeyError):
            return None

    def user_id_for(self, raw: str):
        """The user id of a raw access token whose signature and expiry hold, else None; no user row
        or revocation is read (the rate limiter's cheap guess of who is signed in)."""
        try:
            return self.get_validated_token(raw.encode())[api_settings.USER_ID_CLAIM]
        except (InvalidToken, TokenError, KeyError):
            return None

    def get_validated_token(self, raw_token):
        """Signature and expiry only; get_user checks the session's revocation (same round trip)."""
        token = _verified.get(raw_token)
        if token is None:
            token = super().get_validated_token(raw_token)
            if len(_verified) >= VERIFIED_CACHE_SIZE:
                _verified.clear()
            _verified[raw_token] = token
            return token
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError as exc:
            _verified.pop(raw_token, None)
            raise InvalidToken(str(exc)) from None
        return token

    def get_user(self, validated_token):
        """The token's user, its session not ended: InvalidToken when revoked, AuthenticationFailed
        when the user is gone or inactive (as simplejwt's)."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken(_("Token contained no recognizable user identification")) from None
        sid = validated_token.get(SESSION_CLAIM)
        revoked, user = principal.lookup(user_id, str(sid) if sid else None)
        if revoked:
            raise InvalidToken("Token has been revoked")
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user


class CookieJWTScheme(OpenApiAuthenticationExtension):
    target_class = CookieJWTAuthentication
    name = "cookieJwt"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": ACCESS_COOKIE}
