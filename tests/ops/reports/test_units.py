"""The reports' small parts: the quantile maths and the system check on their schedules."""
import math

import pytest
from django.test import override_settings

from ops.reports.checks import check_digest_schedules
from ops.reports.performance import from_metrics_text, histogram_quantile


def test_histogram_quantile_interpolates_like_prometheus():
    # 100 observations: 50 ≤ 0.1 s, 90 ≤ 0.5 s, all ≤ 1 s.
    buckets = {0.1: 50, 0.5: 90, 1.0: 100, math.inf: 100}

    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.75)  # half-way into (0.5, 1]
    assert histogram_quantile(0.95, {0.1: 0, math.inf: 10}) == pytest.approx(0.1)  # beyond the last bound
    assert math.isnan(histogram_quantile(0.95, {0.1: 0, math.inf: 0}))


def test_performance_from_metrics_text_ranks_routes_by_p95():
    text = "\n".join([
        "# TYPE p_http_request_duration_seconds histogram",
        *[f'p_http_request_duration_seconds_bucket{{method="GET",route="/fast",status="200",le="{le}"}} {n}'
          for le, n in (("0.01", 9), ("0.1", 10), ("+Inf", 10))],
        'p_http_request_duration_seconds_count{method="GET",route="/fast",status="200"} 10',
        'p_http_request_duration_seconds_sum{method="GET",route="/fast",status="200"} 0.05',
        *[f'p_http_request_duration_seconds_bucket{{method="POST",route="/slow",status="201",le="{le}"}} {n}'
          for le, n in (("0.01", 0), ("0.1", 1), ("+Inf", 4))],
        'p_http_request_duration_seconds_count{method="POST",route="/slow",status="201"} 4',
        'p_http_request_duration_seconds_sum{method="POST",route="/slow",status="201"} 2.0',
    ]) + "\n"

    summary = from_metrics_text(text, prefix="p_", source="test")

    assert [r.route for r in summary.routes] == ["/slow", "/fast"]
    assert [r.requests for r in summary.routes] == [4, 10]
    assert summary.routes[0].p95_seconds == pytest.approx(0.1)


def test_system_check_reports_an_invalid_digest_schedule():
    with override_settings(OPS_DIGEST_ERRORS_SCHEDULE="every monday"):
        errors = check_digest_schedules()
    with override_settings(OPS_DIGEST_ERRORS_SCHEDULE="0 7 * * 1"):
        fine = check_digest_schedules()

    assert [e.id for e in errors] == ["ops_reports.E001"] and "OPS_DIGEST_ERRORS_SCHEDULE" in errors[0].msg
    assert fine == []
