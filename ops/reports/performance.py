"""The weekly performance summary: the slowest routes by p95 and their request counts.

From Prometheus' HTTP API when one is given (the window is exact), else from one scrape of
the site's /metrics text (cumulative since the workers started).
"""
from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families


@dataclass
class RouteStat:
    route: str
    p95_seconds: float
    requests: float


@dataclass
class PerformanceSummary:
    source: str
    window: str
    routes: list[RouteStat] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"source": self.source, "window": self.window,
                "routes": [{"route": r.route, "p95Ms": round(r.p95_seconds * 1000, 1), "requests": round(r.requests)}
                           for r in self.routes]}

    def text(self) -> str:
        lines = [f"Performance summary from {self.source} ({self.window}): slowest routes by p95",
                 f"  {'p95 ms':>9}  {'requests':>9}  route"]
        rows = [f"  {r.p95_seconds * 1000:9.1f}  {r.requests:9.0f}  {r.route}" for r in self.routes]
        lines += rows or ["  (no requests)"]
        return "\n".join(lines)


def from_prometheus(base_url: str, *, prefix: str, days: float = 7, top: int = 10,
                    timeout: float = 10) -> PerformanceSummary:
    """Ask Prometheus for p95 and request counts per route over the last `days`."""
    window = f"{int(days * 24 * 3600)}s"
    p95 = query(base_url, f"histogram_quantile(0.95, sum by (le, route) "
                          f"(rate({prefix}http_request_duration_seconds_bucket[{window}])))", timeout)
    counts = query(base_url, f"sum by (route) (increase({prefix}http_requests_total[{window}]))", timeout)
    stats = [RouteStat(route, seconds, counts.get(route, 0.0))
             for route, seconds in p95.items() if not math.isnan(seconds)]
    return PerformanceSummary(base_url, f"last {days:g} days", ranked(stats, top))


def query(base_url: str, promql: str, timeout: float) -> dict[str, float]:
    """One instant query → {route: value}. Raises ValueError when Prometheus reports an error."""
    url = base_url.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    # bandit B310 (urlopen schemes): operator-given http(s) URL.
    with urllib.request.urlopen(url, timeout=timeout) as response:  # nosec B310
        body = json.load(response)
    if body.get("status") != "success":
        raise ValueError(f"Prometheus error: {body.get('error', body)}")
    return {r["metric"].get("route", "-"): float(r["value"][1]) for r in body["data"]["result"]}


def from_metrics_text(text: str, *, prefix: str, source: str, top: int = 10) -> PerformanceSummary:
    """p95 per route from one /metrics exposition (buckets summed over method and status)."""
    buckets: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, float] = defaultdict(float)
    name = f"{prefix}http_request_duration_seconds"
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for sample in family.samples:
            route = sample.labels.get("route", "-")
            if sample.name.endswith("_bucket"):
                buckets[route][float(sample.labels["le"])] += sample.value
            elif sample.name.endswith("_count"):
                counts[route] += sample.value
    stats = [RouteStat(route, histogram_quantile(0.95, b), counts[route])
             for route, b in buckets.items() if counts[route]]
    return PerformanceSummary(source, "since the workers started", ranked(stats, top))


def histogram_quantile(q: float, buckets: dict[float, float]) -> float:
    """Prometheus' histogram_quantile on cumulative buckets {le: count}: linear within the bucket."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    if total <= 0:
        return math.nan
    rank = q * total
    lower, below = 0.0, 0.0
    for le in bounds:
        if buckets[le] >= rank:
            if math.isinf(le):
                return lower  # above the highest finite bucket: its bound is the best answer
            return lower + (le - lower) * (rank - below) / max(buckets[le] - below, 1e-12)
        lower, below = le, buckets[le]
    return lower


def ranked(stats: list[RouteStat], top: int) -> list[RouteStat]:
    return sorted(stats, key=lambda s: s.p95_seconds, reverse=True)[:top]
