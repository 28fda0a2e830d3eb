"""sentry-sdk wiring: init from settings, masking before send, request id, user and request on events.

The SDK runs without its Django and Redis integrations: what they did on every request (an
isolation scope, `continue_trace` over the environ, a transaction and a sampling decision, URL
resolution, a wrapper per middleware, DRF and Redis spans and breadcrumbs, a response wrapper)
cost more than it told. In their place (docs/errors.md):
- errors: Django's `got_request_exception` → `capture_exception`; the event processor below adds
  the request (method, URL, headers, small bodies; masked before send), route, user and request id;
- traces: ops.errors.middleware draws the request first (sampling.py, per route) and only a drawn
  request gets a transaction (with a span per SQL statement).
Celery keeps the SDK's integration (a task is not the hot path).
"""
import json
import logging
import sys

import sentry_sdk
from django.core.signals import got_request_exception
from sentry_sdk.scope import add_global_event_processor
from sentry_sdk.utils import BadDsn, Dsn, event_from_exception

from ops import requestfacts
from ops.logging import context
from ops.logging.masking import mask

from . import conf, sampling, unavailable

logger = logging.getLogger(__name__)
_initialised = False
MAX_BODY = 10 * 1024  # bodies up to this size travel with an error (the SDK's "medium" default)
SAMPLING_KEY = "ops_rate"  # where the middleware's decision reaches traces_sampler


def init_sentry() -> bool:
    """Start sentry-sdk when SENTRY_DSN is set (once per process); False when off."""
    global _initialised
    dsn = conf.dsn()
    if not dsn or _initialised:
        return bool(dsn) and _initialised
    # Imported here: a process without a DSN never loads the integrations.
    from sentry_sdk.integrations.celery import CeleryIntegration  # noqa: PLC0415
    from sentry_sdk.integrations.logging import ignore_logger  # noqa: PLC0415

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
        # No sampler when the default rate is 0: tracing is off, errors are still captured.
        traces_sampler=traces_sampler if sampling.plan()[0] > 0 else None,
        send_default_pii=False,  # the user id/email are attached explicitly below, nothing else
        # Only the integrations named here: auto-enabling would bring Django's and Redis' back.
        auto_enabling_integrations=False,
        integrations=[CeleryIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    # The signal below reports these exceptions; Django's own log line about them would be a duplicate.
    ignore_logger("django.request")
    ignore_logger("django.server")
    got_request_exception.connect(capture_request_exception, dispatch_uid="ops_errors_request_exception")
    _initialised = True
    return True


def active() -> bool:
    return _initialised and sentry_sdk.get_client().is_active()


def traces_sampler(sampling_context: dict) -> float:
    """The web middleware already drew its requests (SAMPLING_KEY); anything else (tasks) gets the default rate."""
    decided = sampling_context.get(SAMPLING_KEY)
    return decided if decided is not None else sampling.plan()[0]


def capture_request_exception(sender=None, request=None, **kwargs) -> None:
    """`got_request_exception`: the unhandled exception of a view or middleware, sent with its request.

    Marked unhandled (mechanism "django", handled False), as the Django integration marked it. A database
    outage is not sent: it is answered 503, counted and logged as a warning (unavailable.py).
    """
    if unavailable.database_unavailable(sys.exc_info()[1]):
        return

    client = sentry_sdk.get_client()
    event, hint = event_from_exception(sys.exc_info(), client_options=client.options,
                                       mechanism={"type": "django", "handled": False})
    sentry_sdk.capture_event(event, hint=hint)


def scrub_event(event, hint=None):
    """The log masking policy over the whole event (request, frames' locals, breadcrumbs, messages)."""
    return mask(event)


@add_global_event_processor
def add_request_context(event, hint=None):
    """Request id (tag), signed-in user (id, email) and, in a web request, the request and route."""
    ctx = context.current()
    if ctx is None:
        return event
    tags = event.setdefault("tags", {})
    tags["request_id"] = ctx.request_id
    user_id, email = ctx.user()
    if user_id is not None:
        user = {"id": str(user_id)}
        if email:
            user["email"] = email
        event["user"] = user
    request = ctx.request
    if request is not None:
        route = requestfacts.route(request)
        tags.setdefault("route", route)
        if event.get("type") != "transaction":
            event.setdefault("transaction", route)
            event.setdefault("transaction_info", {"source": "route"})
        if "request" not in event:
            event["request"] = request_info(request)
    return event


def request_info(request) -> dict:
    """Sentry's request interface: method, URL, query string, headers, a small body (masked later)."""
    meta = request.META
    info = {"method": request.method, "url": _url(request), "query_string": meta.get("QUERY_STRING", ""),
            "headers": _headers(meta)}
    data = _body(request)
    if data is not None:
        info["data"] = data
    return info


def _url(request) -> str:
    try:
        return request.build_absolute_uri(request.path)
    except Exception:  # DisallowedHost and friends: the path alone
        return request.path


def _headers(meta) -> dict:
    headers = {key[5:].replace("_", "-").title(): value for key, value in meta.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if meta.get(key):
            headers[key.replace("_", "-").title()] = meta[key]
    return headers


def _body(request):
    """The body if it was read and is small: parsed JSON or form fields, else None (never reads the stream)."""
    body = request.__dict__.get("_body")
    if not body or len(body) > MAX_BODY:
        return None
    content_type = meta_content_type(request)
    try:
        if "json" in content_type:
            return json.loads(body)
        if "form-urlencoded" in content_type:
            return {key: values[0] if len(values) == 1 else values for key, values in request.POST.lists()}
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    return None


def meta_content_type(request) -> str:
    return request.META.get("CONTENT_TYPE", "") or ""


def keep_small_body(request) -> None:
    """Read a small request body up front, so an error event can carry it after a parser consumed the stream."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if 0 < length <= MAX_BODY:
        try:
            request.body  # noqa: B018 - caches it on the request (Django and DRF read it from there)
        except Exception:  # nosec B110  # a broken or oversized stream is the view's problem, not the error tracker's
            pass


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


def send_message(message: str, *, level: str = "info") -> str | None:
    """Send `message` now and wait for it to leave: through the running SDK when it is on, else through
    a client built from SENTRY_DSN just for this message (a command or task in a process where
    Sentry is off). The event id, or None when there is no DSN."""
    if sentry_sdk.get_client().is_active():
        event_id = sentry_sdk.capture_message(message, level=level)
        sentry_sdk.flush(timeout=5)
        return event_id
    if not conf.dsn():
        return None
    client = sentry_sdk.Client(dsn=conf.dsn(), default_integrations=False, environment=conf.environment(),
                               release=conf.release(), before_send=scrub_event)
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        event_id = scope.capture_message(message, level=level)
    client.flush(timeout=5)
    client.close()
    return event_id
