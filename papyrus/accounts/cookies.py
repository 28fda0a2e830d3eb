"""The two auth cookies, always written accessToken first."""
from django.conf import settings

ACCESS_COOKIE = "accessToken"
REFRESH_COOKIE = "refreshToken"


def set_auth_cookies(response, access: str, refresh: str | None) -> None:
    """Both cookies; the access cookie alone when `refresh` is None (the refresh cookie the client
    holds stays: a rotation raced by another request, see services.tokens_rotate)."""
    jwt = settings.SIMPLE_JWT
    common = {"httponly": True, "samesite": "Lax", "path": "/", "secure": settings.JWT_COOKIE_SECURE}
    response.set_cookie(ACCESS_COOKIE, access,
                        max_age=int(jwt["ACCESS_TOKEN_LIFETIME"].total_seconds()), **common)
    if refresh is not None:
        response.set_cookie(REFRESH_COOKIE, refresh,
                            max_age=int(jwt["REFRESH_TOKEN_LIFETIME"].total_seconds()), **common)


def clear_auth_cookies(response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/", samesite="Lax")
    response.delete_cookie(REFRESH_COOKIE, path="/", samesite="Lax")
