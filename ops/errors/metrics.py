"""Series of the errors app (ops.series: created on first use, named with PROMETHEUS_PREFIX)."""
from ops import series

SERIES = series.SeriesSet(
    series.counter("database_unavailable_responses_total",
                   "Requests answered 503 because the database was down, unreachable or failing over."),
)


def database_unavailable() -> None:
    SERIES.current().database_unavailable_responses_total.inc()
