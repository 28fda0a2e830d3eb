"""Rate-limit counters (prometheus_client), named with PROMETHEUS_PREFIX, each created on first use (ops.series)."""
from ops import series

SERIES = series.SeriesSet(
    series.counter("ratelimit_rejected_total", "Requests answered 429 by the rate limiter.", ["rule"]),
    series.counter("ratelimit_fail_open_total",
                   "Requests let through unchecked because the rate-limit store was unavailable.", ["rule"]),
)


def rejected(rule: str) -> None:
    SERIES.current().ratelimit_rejected_total.labels(rule=rule).inc()


def failed_open(rule: str) -> None:
    SERIES.current().ratelimit_fail_open_total.labels(rule=rule).inc()
