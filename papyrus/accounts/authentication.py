"""JWT from the `accessToken` cookie, or an `Authorization: Bearer` header.

Beyond signature and expiry, an access token whose session (`sid`) was ended — logout, refresh
token reuse — is refused: one Redis EXISTS, no database query (see revocation.py). A cookie used
for an unsafe method must come from this site (see origin.py).
"""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from . import revocation
from .origin import refuse_cross_site

ACCESS_COOKIE = "accessToken"
REFRESH_COOKIE = "refreshToken"
SESSION_CLAIM = "sid"


class CookieJWTAuthentication(JWTAuthentication):
    def authenticate(self, request):
        header = self.get_header(request)
        if header is not None and header.split()[1:2] not in ([], [b"undefined"], [b"null"]):
            return super().authenticate(request)
        # An empty bearer (a client template whose token was never captured) defers to the cookie.
        raw = request.COOKIES.get(ACCESS_COOKIE)
        if not raw:
            return None
        refuse_cross_site(request)  # the browser attached the cookie; a foreign form must not use it
        try:
            token = self.get_validated_token(raw.encode())
        except InvalidToken:
            # A stale cookie must not lock a reader out of public pages.
            return None
        return self.get_user(token), token

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        sid = token.get(SESSION_CLAIM)
        if sid and revocation.session_revoked(str(sid)):
            raise InvalidToken("Token has been revoked")
        return token


class CookieJWTScheme(OpenApiAuthenticationExtension):
    target_class = CookieJWTAuthentication
    name = "cookieJwt"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": ACCESS_COOKIE}
