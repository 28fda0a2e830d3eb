"""Prometheus instruments for WebSockets, named with PROMETHEUS_PREFIX (<p>):

    <p>websocket_connections        gauge   open connections (livesum across processes)
    <p>websocket_messages_total     counter frames, label direction="in"|"out"
    <p>websocket_closes_total       counter closed connections, label code (see codes.py)

Created together on first use with the prefix configured then (ops.series). A metrics app
adds open WebSockets to `<p>active_connections` via registry.add_listener or this gauge.
"""
from __future__ import annotations

from ops import series

from . import conf

SERIES = series.SeriesSet(
    eager=True,
    connections=series.gauge("websocket_connections", "Open WebSocket connections", multiprocess_mode="livesum"),
    messages=series.counter("websocket_messages", "WebSocket frames received and sent", ["direction"]),
    closes=series.counter("websocket_closes", "Closed WebSocket connections by close code", ["code"]),
)


def record(event: str, consumer, **info) -> None:
    """registry listener: keep the instruments in step with connections."""
    if not conf.metrics_enabled():
        return
    m = SERIES.current()
    if event == "message":
        m.messages.labels(direction=info["direction"]).inc()
    elif event == "open":
        m.connections.inc()
    elif event == "close":
        m.connections.dec()
        m.closes.labels(code=str(info.get("code") or "")).inc()
