"""Anonymous reads answered before Django's stack, from cached bytes (as Discourse answers
logged-out traffic from Redis in front of Rails).

`FastReads(application)` wraps the WSGI application. An anonymous GET (no Authorization header,
no auth or session cookie) of the page list, a page, or a search:

- hit: the response bytes Django made for the same URL and host are served with their ETag
  (a page's version, or a digest of a list's or search's body), `If-None-Match` → 304;
- miss: Django answers as always; a 200 is stored (body and headers, never a per-request header)
  under the stamp read *before* Django ran, in papyrus.wiki.cache's namespace and scopes —
  "public" for lists and searches, "page:<id>" for a page: the writes that make Django's own
  cached data stale make these bytes stale too, in every process (a write is visible to the next
  read, as today). Redis unavailable, the response cache off, or FAST_READS false: Django answers.

GET /health goes to its view directly (its report is already cached per process).

Hits and /health still pass through the operations middleware of MIDDLEWARE (metrics with the
route label, the request id and `http` log line, Sentry's per-request scope, the rate limiter
and its headers, the security headers): only the rest of the stack (sessions, CSRF, auth, URL
resolution, DRF, the view) is skipped.
"""
from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import resolve
from django.utils.http import parse_etags
from django.utils.module_loading import import_string

from .cache import PUBLIC, page_scope, pages

# The operations layer, in MIDDLEWARE's order, that every answer here still passes through.
OPERATIONS_MIDDLEWARE = (
    "ops.metrics.middleware.MetricsMiddleware",
    "ops.logging.middleware.RequestLogMiddleware",
    "ops.errors.middleware.SentryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ops.ratelimit.middleware.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)
# Headers of one response only: never stored with the bytes.
PER_REQUEST = frozenset({"x-request-id", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset",
                         "ratelimit-policy", "retry-after", "set-cookie", "date", "content-length"})
SIGNED_IN_COOKIES = re.compile(r"(?:^|[;\s])(?:accessToken|refreshToken|%s)=")
PAGE = re.compile(r"/api/pages/([0-9]+)")
KINDS = {"/api/pages": "list", "/api/search": "search", "/health": "health"}
# A 304 repeats these of the 200 it stands for (RFC 9110 §15.4.5).
NOT_MODIFIED_KEEPS = ("cache-control", "content-location", "expires", "vary")


def enabled() -> bool:
    return bool(getattr(settings, "FAST_READS", True))


class FastReads:
    def __init__(self, application):
        self.application = application
        self.signed_in = re.compile(SIGNED_IN_COOKIES.pattern % re.escape(settings.SESSION_COOKIE_NAME))
        self.matches = {kind: resolve(path) for kind, path in
                        (("list", "/api/pages"), ("page", "/api/pages/1"), ("search", "/api/search"),
                         ("health", "/health"))}
        self.handler = operations_chain(self.answer)

    def __call__(self, environ, start_response):
        kind, page_id = self.kind(environ)
        if kind is None:
            return self.application(environ, start_response)
        if kind == "health":
            return self.serve(environ, start_response, kind, None)
        parts, scopes = entry(environ, kind, page_id)
        cached, store = pages.peek(parts, scopes=scopes)
        if cached is not None:
            return self.serve(environ, start_response, kind, cached)
        if store is None:
            return self.application(environ, start_response)
        return self.fill(environ, start_response, kind, store)

    def kind(self, environ) -> tuple[str | None, int | None]:
        """(what an anonymous GET asks for, the page id), or (None, None) when Django must answer."""
        if environ.get("REQUEST_METHOD") != "GET" or not enabled():
            return None, None
        if environ.get("HTTP_AUTHORIZATION") or self.signed_in.search(environ.get("HTTP_COOKIE", "")):
            return None, None
        path = environ.get("PATH_INFO", "")
        found = KINDS.get(path)
        if found is not None:
            return found, None
        page = PAGE.fullmatch(path)
        return ("page", int(page.group(1))) if page else (None, None)

    # --- a miss: Django answers, its 200 is kept -------------------------------------------------
    def fill(self, environ, start_response, kind: str, store):
        answered = []
        result = self.application(environ, lambda status, headers, exc_info=None: answered.append((status, headers)))
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        status, headers = answered[0]
        if status.startswith("200 "):
            headers = with_etag(headers, body)
            store({"body": body.decode(), "headers": [[k, v] for k, v in headers if k.lower() not in PER_REQUEST]})
        start_response(status, headers)
        return [body]

    # --- a hit or /health: the operations middleware around cached bytes -------------------------
    def serve(self, environ, start_response, kind: str, cached: dict | None):
        request = WSGIRequest(environ)
        request.user = AnonymousUser()
        request.resolver_match = self.matches[kind]  # the route label metrics and logs carry
        request.fast_cached = cached
        response = self.handler(request)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, [*response.items(), *(("Set-Cookie", c.output(header="")) for c in
                                                    response.cookies.values())])
        return response

    def answer(self, request):
        cached = request.fast_cached
        if cached is None:  # /health: its view, which reuses its report
            match = request.resolver_match
            return match.func(request, *match.args, **match.kwargs)
        headers = {name.lower(): (name, value) for name, value in cached["headers"]}
        etag = headers.get("etag", (None, None))[1]
        if etag and etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            response = HttpResponseNotModified()
            for key in ("etag", *NOT_MODIFIED_KEEPS):
                if key in headers:
                    response[headers[key][0]] = headers[key][1]
            return response
        body = cached["body"].encode()
        response = HttpResponse(body, content_type=headers.pop("content-type", (None, None))[1])
        for name, value in headers.values():
            response[name] = value
        response["Content-Length"] = str(len(body))
        return response


def entry(environ, kind: str, page_id: int | None) -> tuple[tuple, list[str]]:
    """The cached bytes' key parts (they hold absolute links: host and scheme count) and scopes."""
    parts = ("bytes", kind, environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_PROTO", ""),
             environ.get("HTTP_HOST", ""), environ.get("PATH_INFO"), environ.get("QUERY_STRING", ""))
    return parts, [page_scope(page_id)] if kind == "page" else [PUBLIC]


def with_etag(headers: list, body: bytes) -> list:
    """`headers` with an ETag: the view's (a page's version), else a digest of the body."""
    if any(name.lower() == "etag" for name, _ in headers):
        return headers
    return [*headers, ("ETag", '"%s"' % hashlib.blake2b(body, digest_size=12).hexdigest())]


def operations_chain(view):
    """`view` wrapped in the OPERATIONS_MIDDLEWARE that MIDDLEWARE lists, in its order."""
    handler = view
    for path in reversed([m for m in settings.MIDDLEWARE if m in OPERATIONS_MIDDLEWARE]):
        try:
            handler = import_string(path)(handler)
        except MiddlewareNotUsed:
            pass
    return handler
