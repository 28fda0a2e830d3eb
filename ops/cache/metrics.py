"""Cache hit/miss/error counters (prometheus_client), named with PROMETHEUS_PREFIX.

Created on first use: the prefix is a setting, and importing this module must not
register anything (so the app installs in projects without metrics).
"""
from ops.counters import LazyCounters

_COUNTERS = LazyCounters({
    "cache_hits_total": "Cache lookups answered from Redis.",
    "cache_misses_total": "Cache lookups that had to compute the value.",
    "cache_errors_total": "Cache operations that failed because Redis was unavailable (bypassed).",
}, ["cache"])


def counter(name: str):
    """The `<prefix><name>` counter labelled by cache namespace."""
    return _COUNTERS.get(name)


def hit(namespace: str) -> None:
    counter("cache_hits_total").labels(cache=namespace).inc()


def miss(namespace: str) -> None:
    counter("cache_misses_total").labels(cache=namespace).inc()


def error(namespace: str) -> None:
    counter("cache_errors_total").labels(cache=namespace).inc()
