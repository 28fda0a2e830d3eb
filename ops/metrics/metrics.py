"""Every series ops.metrics owns, created once per process and prefix.

No Django import here (nor django-prometheus, whose import registers unprefixed series):
scripts and the benchmark build `Metrics(prefix)` directly.
Under multiprocess mode (PROMETHEUS_MULTIPROC_DIR set before prometheus_client is
imported) each value lives in this process's mmap files; otherwise in the default registry.
"""
from __future__ import annotations

import threading

from prometheus_client import REGISTRY, Counter, Gauge, Histogram

# Latency buckets: 0.5 s is a bucket edge because the p95 alert fires above it.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
# 64 B … 16 MiB in powers of 4: ten buckets keep the exposition small.
SIZE_BUCKETS = (0,) + tuple(4 ** i for i in range(3, 13))
HTTP_LABELS = ("method", "route", "status")


class Metrics:
    """The series of one prefix. `registry=None` creates them unregistered (multiprocess writers)."""

    def __init__(self, prefix: str, registry=REGISTRY):
        p, r = prefix, registry
        self.prefix = prefix
        self.http_requests = Counter(f"{p}http_requests", "HTTP requests served, by method, route pattern and status.",
                                     HTTP_LABELS, registry=r)
        self.http_duration = Histogram(f"{p}http_request_duration_seconds", "Time to produce the response.",
                                       HTTP_LABELS, buckets=DURATION_BUCKETS, registry=r)
        self.http_request_size = Histogram(f"{p}http_request_size_bytes", "Request body size (Content-Length).",
                                           HTTP_LABELS, buckets=SIZE_BUCKETS, registry=r)
        self.http_response_size = Histogram(f"{p}http_response_size_bytes", "Response body size.",
                                            HTTP_LABELS, buckets=SIZE_BUCKETS, registry=r)
        self.active_connections = Gauge(f"{p}active_connections",
                                        "In-flight HTTP requests plus open WebSocket connections.",
                                        multiprocess_mode="livesum", registry=r)
        self.db_query_duration = Histogram(f"{p}db_query_duration_seconds", "Database statement duration.",
                                           ("alias",), buckets=DURATION_BUCKETS, registry=r)
        self.db_query_errors = Counter(f"{p}db_query_errors", "Database statements that raised.", ("alias",),
                                       registry=r)
        self.celery_task_runs = Counter(f"{p}celery_task_runs", "Celery task runs finished (any outcome).",
                                        ("task",), registry=r)
        self.celery_task_failures = Counter(f"{p}celery_task_failures", "Celery task runs that raised.",
                                            ("task",), registry=r)
        self.celery_task_duration = Histogram(f"{p}celery_task_duration_seconds", "Celery task run time.",
                                              ("task",), buckets=DURATION_BUCKETS + (30.0, 60.0, 300.0, 900.0),
                                              registry=r)


_by_prefix: dict[str, Metrics] = {}
_lock = threading.Lock()


def for_prefix(prefix: str) -> Metrics:
    """The process-wide Metrics of `prefix` (created on first use; a new prefix adds a new set)."""
    try:
        return _by_prefix[prefix]
    except KeyError:
        with _lock:
            if prefix not in _by_prefix:
                _by_prefix[prefix] = Metrics(prefix)
            return _by_prefix[prefix]


def get() -> Metrics:
    """The Metrics of the configured PROMETHEUS_PREFIX."""
    from . import conf

    return for_prefix(conf.prefix())
