"""The request context (request id, user) of the code running now, in a contextvar.

Set by the request middleware and by Celery's task_prerun (from message headers), read by
the log filter and by the Sentry event processor.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject, empty


@dataclass(slots=True)
class RequestContext:
    request_id: str
    request: object | None = None  # the HttpRequest, when running inside one
    user_id: object | None = None  # known up front in Celery tasks (from headers)
    user_email: str | None = None

    def user(self) -> tuple[object | None, str | None]:
        """(id, email) of the signed-in user, without triggering a lookup that has not happened."""
        if self.request is not None:
            user = resolved_user(self.request)
            if user is not None:
                return user.pk, getattr(user, "email", None)
        return self.user_id, self.user_email


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("ops_request_context",
                                                                                   default=None)


def current() -> RequestContext | None:
    return _current.get()


def bind(ctx: RequestContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def current_request_id() -> str | None:
    ctx = _current.get()
    return ctx.request_id if ctx else None


def resolved_user(request):
    """The authenticated user of `request` if authentication already ran, else None.

    Django's AuthenticationMiddleware sets a lazy object; evaluating it would cost a
    session lookup, so an untouched one counts as unknown. DRF stores its user on the
    HttpRequest, so API requests resolve here after the view ran.
    """
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None
