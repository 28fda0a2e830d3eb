"""Prometheus metrics for a Django site (reusable; docs/metrics.md).

Install: add "ops.metrics" to INSTALLED_APPS, "ops.metrics.middleware.MetricsMiddleware"
first in MIDDLEWARE, and `path("", include("ops.metrics.urls"))` to the URLconf.

Public helpers for other apps (all cheap, safe to call when metrics are disabled):
    connection_opened() / connection_closed()  -- WebSocket consumers: active_connections
Other apps declare their own prefixed series with ops.series (no need for this app).
"""


def _gauge():
    from . import conf, metrics  # noqa: PLC0415 - they read Django's settings: not at `import ops.metrics.*`

    return metrics.get().active_connections if conf.enabled() else None


def connection_opened() -> None:
    """A long-lived connection (WebSocket) opened: active_connections + 1."""
    gauge = _gauge()
    if gauge is not None:
        gauge.inc()


def connection_closed() -> None:
    """The matching close (call it in a finally/disconnect handler): active_connections - 1."""
    gauge = _gauge()
    if gauge is not None:
        gauge.dec()
