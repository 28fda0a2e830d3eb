"""Open WebSocket connections of this process, and the listeners told about them.

Listeners are callables `listener(event, consumer, **info)` with event "open", "close"
(info: code) or "message" (info: direction "in"/"out"). ops.realtime.metrics is one; any
app (e.g. a metrics app's active-connections gauge) may add its own with add_listener().
A failing listener is logged and never breaks a connection.
"""
from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

_listeners: list = []
_lock = threading.Lock()
_open = 0


def add_listener(listener) -> None:
    """Register `listener` once (adding it again is a no-op)."""
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def open_connections() -> int:
    """WebSocket connections currently accepted and not yet closed in this process."""
    return _open


def _notify(event: str, consumer, **info) -> None:
    for listener in list(_listeners):
        try:
            listener(event, consumer, **info)
        except Exception:
            logger.exception("realtime listener %r failed on %s", listener, event)


def opened(consumer) -> None:
    global _open
    with _lock:
        _open += 1
    _notify("open", consumer)


def closed(consumer, code: int | None) -> None:
    global _open
    with _lock:
        _open -= 1
    _notify("close", consumer, code=code)


def message(consumer, direction: str) -> None:
    _notify("message", consumer, direction=direction)
