"""Prometheus instruments for WebSockets, named with PROMETHEUS_PREFIX (<p>):

    <p>websocket_connections        gauge   open connections (livesum across processes)
    <p>websocket_messages_total     counter frames, label direction="in"|"out"
    <p>websocket_closes_total       counter closed connections, label code (see codes.py)

Created on first use with the prefix configured then (one set per process). A metrics app
adds open WebSockets to `<p>active_connections` via registry.add_listener or this gauge.
"""
from __future__ import annotations

import functools

from prometheus_client import Counter, Gauge

from . import conf


@functools.lru_cache(maxsize=None)
def instruments(prefix: str) -> dict:
    return {
        "connections": Gauge(f"{prefix}websocket_connections", "Open WebSocket connections",
                             multiprocess_mode="livesum"),
        "messages": Counter(f"{prefix}websocket_messages", "WebSocket frames received and sent",
                            ["direction"]),
        "closes": Counter(f"{prefix}websocket_closes", "Closed WebSocket connections by close code",
                          ["code"]),
    }


def record(event: str, consumer, **info) -> None:
    """registry listener: keep the instruments in step with connections."""
    if not conf.metrics_enabled():
        return
    m = instruments(conf.metric_prefix())
    if event == "message":
        m["messages"].labels(direction=info["direction"]).inc()
    elif event == "open":
        m["connections"].inc()
    elif event == "close":
        m["connections"].dec()
        m["closes"].labels(code=str(info.get("code") or "")).inc()
