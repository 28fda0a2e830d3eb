"""Every series ops.metrics owns, created together once per process and prefix (ops.series).

Scripts and the benchmark build `SERIES.build(prefix)` directly.
Under multiprocess mode (PROMETHEUS_MULTIPROC_DIR set before prometheus_client is
imported) each value lives in this process's mmap files; otherwise in the default registry.
"""
from __future__ import annotations

from ops import series

# Latency buckets: 0.5 s is a bucket edge because the p95 alert fires above it.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
# 64 B … 16 MiB in powers of 4: ten buckets keep the exposition small.
SIZE_BUCKETS = (0,) + tuple(4 ** i for i in range(3, 13))
HTTP_LABELS = ("method", "route", "status")

SERIES = series.SeriesSet(
    eager=True,
    http_requests=series.counter("http_requests", "HTTP requests served, by method, route pattern and status.",
                                 HTTP_LABELS),
    http_duration=series.histogram("http_request_duration_seconds", "Time to produce the response.",
                                   HTTP_LABELS, buckets=DURATION_BUCKETS),
    http_request_size=series.histogram("http_request_size_bytes", "Request body size (Content-Length).",
                                       HTTP_LABELS, buckets=SIZE_BUCKETS),
    http_response_size=series.histogram("http_response_size_bytes", "Response body size.",
                                        HTTP_LABELS, buckets=SIZE_BUCKETS),
    active_connections=series.gauge("active_connections", "In-flight HTTP requests plus open WebSocket connections.",
                                    multiprocess_mode="livesum"),
    db_query_duration=series.histogram("db_query_duration_seconds", "Database statement duration.",
                                       ("alias",), buckets=DURATION_BUCKETS),
    db_query_errors=series.counter("db_query_errors", "Database statements that raised.", ("alias",)),
    celery_task_runs=series.counter("celery_task_runs", "Celery task runs finished (any outcome).", ("task",)),
    celery_task_failures=series.counter("celery_task_failures", "Celery task runs that raised.", ("task",)),
    celery_task_duration=series.histogram("celery_task_duration_seconds", "Celery task run time.",
                                          ("task",), buckets=DURATION_BUCKETS + (30.0, 60.0, 300.0, 900.0)),
)

for_prefix = SERIES.for_prefix  # the process-wide series of a prefix (a new prefix adds a new set)
get = SERIES.current  # the series of the configured PROMETHEUS_PREFIX
