"""Cache hit/miss/error counters (prometheus_client), named with PROMETHEUS_PREFIX.

Each created on first use (ops.series): the prefix is a setting, and importing this module must
not register anything (so the app installs in projects without metrics).
"""
from ops import series

SERIES = series.SeriesSet(
    series.counter("cache_hits_total", "Cache lookups answered from Redis.", ["cache"]),
    series.counter("cache_misses_total", "Cache lookups that had to compute the value.", ["cache"]),
    series.counter("cache_errors_total", "Cache operations that failed because Redis was unavailable (bypassed).",
                   ["cache"]),
)


def hit(namespace: str, count: int = 1) -> None:
    if count:
        SERIES.current().cache_hits_total.labels(cache=namespace).inc(count)


def miss(namespace: str, count: int = 1) -> None:
    if count:
        SERIES.current().cache_misses_total.labels(cache=namespace).inc(count)


def error(namespace: str) -> None:
    SERIES.current().cache_errors_total.labels(cache=namespace).inc()
