"""Who is on the other end of a WebSocket: a Channels middleware that asks the callable named
by REALTIME_AUTHENTICATOR, e.g. one validating a JWT from a cookie.

The callable is sync (it may query the database), takes the ASGI scope and returns a user,
a (user, expires_at_epoch_seconds) pair, or None for anonymous. The middleware sets
scope["user"] (AnonymousUser when None) and scope["auth_expires_at"] (None if unknown);
RealtimeConsumer refuses anonymous handshakes and closes with UNAUTHORIZED at expiry.
"""
from __future__ import annotations

import functools

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string

from . import conf


@functools.lru_cache(maxsize=8)
def _resolve(path: str):
    return import_string(path)


def header(scope, name: bytes) -> str | None:
    """The first value of request header `name` (lower-case bytes), decoded as latin-1."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin1")
    return None


def cookies(scope) -> dict[str, str]:
    return parse_cookie(header(scope, b"cookie") or "")


def authenticate(scope) -> tuple[object, float | None]:
    """(user, expires_at) for this scope according to REALTIME_AUTHENTICATOR."""
    path = conf.authenticator_path()
    result = _resolve(path)(scope) if path else None
    if result is None:
        return AnonymousUser(), None
    if isinstance(result, tuple):
        return result[0], result[1]
    return result, None


class AuthenticatorMiddleware(BaseMiddleware):
    """Populate scope["user"] and scope["auth_expires_at"] once per connection."""

    async def __call__(self, scope, receive, send):
        user, expires_at = await database_sync_to_async(authenticate)(scope)
        scope = dict(scope, user=user, auth_expires_at=expires_at)
        return await super().__call__(scope, receive, send)
