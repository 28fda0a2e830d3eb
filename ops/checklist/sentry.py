"""Sentry from the checklist's side: validate the DSN and send one test event, waiting for the answer.

Reports and helpers send through ops.errors; this is the one sender that must know the HTTP status."""
from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.utils import BadDsn, Dsn

from ops.errors import conf


def parse_dsn(value: str) -> Dsn:
    """The DSN parsed by sentry-sdk itself; BadDsn (a ValueError) when it is malformed."""
    if not value:
        raise BadDsn("SENTRY_DSN is not set")
    return Dsn(value)


def send_test_event(dsn_value: str, *, timeout: float = 5.0) -> tuple[str, int]:
    """POST one info event to the DSN's envelope endpoint; (event_id, HTTP status) on 2xx.

    Built from sentry-sdk's own Dsn/Auth/Envelope and sent synchronously, so the status the
    server answered is known (the SDK's background transport would only drop a refusal).
    Raises urllib.error.HTTPError / URLError on refusal or no answer.
    """
    dsn = parse_dsn(dsn_value)
    auth = dsn.to_auth(f"ops-check/{sentry_sdk.VERSION}")
    event_id = uuid.uuid4().hex
    now = datetime.now(timezone.utc).isoformat()
    envelope = Envelope(headers={"event_id": event_id, "sent_at": now})
    envelope.add_event({
        "event_id": event_id, "timestamp": now, "platform": "python", "level": "info",
        "logger": "ops.checklist", "message": {"formatted": "ops_check test event"},
        "environment": conf.environment(), "release": conf.release(),
        "tags": {"source": "ops_check"},
    })
    request = urllib.request.Request(auth.get_api_url(), data=envelope.serialize(), method="POST", headers={
        "Content-Type": "application/x-sentry-envelope",
        "X-Sentry-Auth": auth.to_header(),
        "User-Agent": f"sentry.python/{sentry_sdk.VERSION}",
    })
    # bandit B310 (urlopen schemes): URL built from the DSN (http/https only).
    with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
        return event_id, response.status
