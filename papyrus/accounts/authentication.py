"""JWT from the `accessToken` cookie, or an `Authorization: Bearer` header."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

ACCESS_COOKIE = "accessToken"
REFRESH_COOKIE = "refreshToken"


class CookieJWTAuthentication(JWTAuthentication):
    def authenticate(self, request):
        header = self.get_header(request)
        if header is not None and header.split()[1:2] not in ([], [b"undefined"], [b"null"]):
            return super().authenticate(request)
        # An empty bearer (a client template whose token was never captured) defers to the cookie.
        raw = request.COOKIES.get(ACCESS_COOKIE)
        if not raw:
            return None
        try:
            token = self.get_validated_token(raw.encode())
        except InvalidToken:
            # A stale cookie must not lock a reader out of public pages.
            return None
        return self.get_user(token), token


class CookieJWTScheme(OpenApiAuthenticationExtension):
    target_class = CookieJWTAuthentication
    name = "cookieJwt"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": ACCESS_COOKIE}
