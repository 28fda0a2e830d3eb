"""Who is browsing: the API's JWT cookies, with refresh rotation, for server-rendered pages.

One user per request: the browser wiki's `request.user` is the person its JWT cookies name. Views
of other apps keep the user Django's AuthenticationMiddleware set from the session: the admin
(it has its own login — a wiki sign-in must not open it) and the API (DRF authenticates on its
own; its SessionAuthentication reads that session user). Error pages of URLs nobody resolved are
the wiki's pages, so they get the wiki's user.

The wiki's user is resolved lazily (a request that never reads it pays nothing): the access
cookie when valid; otherwise the refresh cookie is rotated (the old one is spent) and the response
carries the new pair — or, for a tab that raced another one with the same cookie within
REFRESH_REUSE_GRACE_SECONDS, a new access cookie only (the winner's refresh cookie is the live one). Sign-in, register and sign-out go through papyrus.accounts.services.
"""
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from papyrus.accounts import services as accounts
from papyrus.accounts.authentication import CookieJWTAuthentication, access_token
from papyrus.accounts.cookies import REFRESH_COOKIE, clear_auth_cookies, set_auth_cookies

WEB_APP = "web"  # papyrus/web/urls.py's app_name: the views that get the wiki's user


def _resolve(request):
    found = access_token(request.META.get("HTTP_AUTHORIZATION"), request.COOKIES)  # the API's token rule
    authenticated = CookieJWTAuthentication().user_for(found[0]) if found else None
    if authenticated is not None:
        return authenticated[0]
    refresh = request.COOKIES.get(REFRESH_COOKIE)
    if not refresh:
        return AnonymousUser()
    try:
        user, access, new_refresh = accounts.tokens_rotate(refresh=refresh, grace=True)
    except accounts.BadRefreshToken:
        return AnonymousUser()  # revoked, expired, or reused after the grace
    request._web_rotated = (access, new_refresh)
    return user


class WebAuthMiddleware:
    """`request.user` from the JWT cookies for the browser wiki, the session's for the other apps'
    views; writes the rotated cookies when resolving the wiki's user rotated them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._session_user = request.user  # AuthenticationMiddleware's, unevaluated
        request.user = SimpleLazyObject(lambda: _resolve(request))
        response = self.get_response(request)
        rotated = getattr(request, "_web_rotated", None)
        if rotated and not getattr(response, "_web_signed_out", False):
            set_auth_cookies(response, *rotated)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.app_name != WEB_APP:  # the admin, the API, /health, /metrics
            request.user = request._session_user


def sign_in(response, user) -> None:
    set_auth_cookies(response, *accounts.tokens_issue(user=user))


def sign_out(request, response) -> None:
    accounts.tokens_revoke(refresh=request.COOKIES.get(REFRESH_COOKIE))
    rotated = getattr(request, "_web_rotated", None)
    if rotated:  # resolving the user on this very request rotated the pair: revoke the new one too
        accounts.tokens_revoke(refresh=rotated[1])
    clear_auth_cookies(response)
    response._web_signed_out = True
