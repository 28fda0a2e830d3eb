"""Rate-limit counters (prometheus_client), named with PROMETHEUS_PREFIX, created on first use."""
from ops.counters import LazyCounters

_COUNTERS = LazyCounters({
    "ratelimit_rejected_total": "Requests answered 429 by the rate limiter.",
    "ratelimit_fail_open_total": "Requests let through unchecked because the rate-limit store was unavailable.",
}, ["rule"])


def counter(name: str):
    return _COUNTERS.get(name)


def rejected(rule: str) -> None:
    counter("ratelimit_rejected_total").labels(rule=rule).inc()


def failed_open(rule: str) -> None:
    counter("ratelimit_fail_open_total").labels(rule=rule).inc()
