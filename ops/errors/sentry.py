"""sentry-sdk wiring: init from settings, masking before send, request id and user on every event."""
import logging
import sys

import sentry_sdk
from sentry_sdk.scope import add_global_event_processor

from ops.logging import context
from ops.logging.masking import mask

from . import conf

logger = logging.getLogger(__name__)
_initialised = False


def init_sentry() -> bool:
    """Start sentry-sdk when SENTRY_DSN is set (once per process); False when off."""
    global _initialised
    dsn = conf.dsn()
    if not dsn or _initialised:
        return bool(dsn) and _initialised
    # Imported here: a process without a DSN never loads the integrations.
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)
    except BadDsn:
        # The process still starts; system check ops_errors.E001 and ops_check name the problem.
        sys.stderr.write("ops.errors: SENTRY_DSN is not a valid Sentry DSN; error tracking is off\n")
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=conf.environment(),
        release=conf.release(),
        # 0 turns tracing off (None rather than 0.0): the SDK still wraps each request, but skips
        # the tracing work of an unsampled transaction — about a quarter of its per-request cost
        # here (README "Benchmarks"). Errors are captured either way.
        traces_sample_rate=conf.traces_sample_rate() or None,
        send_default_pii=False,  # the user id/email are attached explicitly below, nothing else
        # signals_spans off: otherwise every receiver of request_started/request_finished becomes
        # a span on every request (sampled or not), a measurable share of the SDK's per-request
        # CPU for little use in a trace (README "Benchmarks").
        integrations=[DjangoIntegration(signals_spans=False), CeleryIntegration(), RedisIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    _initialised = True
    return True


def scrub_event(event, hint=None):
    """The log masking policy over the whole event (request, frames' locals, breadcrumbs, messages)."""
    return mask(event)


@add_global_event_processor
def add_request_context(event, hint=None):
    """Request id (tag) and signed-in user (id, email) of the request or task that raised."""
    ctx = context.current()
    if ctx is None:
        return event
    event.setdefault("tags", {})["request_id"] = ctx.request_id
    user_id, email = ctx.user()
    if user_id is not None:
        user = {"id": str(user_id)}
        if email:
            user["email"] = email
        event["user"] = user
    return event


def capture_exception(error: BaseException | None = None, **extra) -> str | None:
    """Send `error` (default: the one being handled) with `extra` fields; the event id, or None when off."""
    with sentry_sdk.new_scope() as scope:
        for key, value in extra.items():
            scope.set_extra(key, value)
        return sentry_sdk.capture_exception(error)


def capture_message(message: str, level: str = "info", **extra) -> str | None:
    """Send `message` at `level` (debug, info, warning, error, fatal); the event id, or None when off."""
    with sentry_sdk.new_scope() as scope:
        for key, value in extra.items():
            scope.set_extra(key, value)
        return sentry_sdk.capture_message(message, level=level)
