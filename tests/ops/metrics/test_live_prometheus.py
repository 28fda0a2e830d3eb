"""A real Prometheus (Debian's /usr/bin/prometheus) scraping a live Papyrus with two workers.

The guide's three queries must return data, and the 5xx ratio must match what was sent.
"""
import json
import math
import subprocess
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.live import free_port

from tests.support.wait import wait_until

from .support import get, promtool

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
LIVE_SETTINGS = {"DJANGO_SETTINGS_MODULE": "tests.ops.metrics.live_settings"}

GUIDE_RATE = "rate(papyrus_http_requests_total[5m])"
GUIDE_P95 = "histogram_quantile(0.95, rate(papyrus_http_request_duration_seconds_bucket[5m]))"
GUIDE_ERRORS = ('sum(rate(papyrus_http_requests_total{status=~"5.."}[5m])) '
                "/ sum(rate(papyrus_http_requests_total[5m]))")

CONFIG = """
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {rules}
scrape_configs:
  - job_name: papyrus
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


class Prometheus:
    def __init__(self, workdir: Path, target_port: int):
        self.port = free_port()
        config = workdir / "prometheus.yml"
        config.write_text(CONFIG.format(rules=DEPLOY / "prometheus" / "alerts.yml", port=target_port))
        self.log = workdir / "prometheus.log"
        self.proc = subprocess.Popen(
            ["/usr/bin/prometheus", f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.ready, "Prometheus to be ready", timeout=30)

    def ready(self) -> bool:
        assert self.proc.poll() is None, self.log.read_text()
        try:
            return get(self.url + "/-/ready")[0] == 200
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, **params) -> dict:
        status, body = get(f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}")
        payload = json.loads(body)
        assert status == 200 and payload["status"] == "success", payload
        return payload["data"]

    def query(self, expr: str) -> list[dict]:
        return self.api("query", query=expr)["result"]

    def scalar(self, expr: str) -> float:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else math.nan

    def scrapes(self) -> float:
        """How many scrapes of Papyrus it holds (NaN before the first)."""
        return self.scalar('count_over_time(up{job="papyrus"}[5m])')

    def after_more_scrapes(self, count: int = 2) -> None:
        """Wait for `count` scrapes after this call: each sees everything sent before it."""
        seen = self.scrapes()
        wait_until(lambda: self.scrapes() >= (0 if math.isnan(seen) else seen) + count,
                   f"{count} more scrapes", timeout=30)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def prometheus(tmp_path):
    started = []

    def start(target_port: int) -> Prometheus:
        started.append(Prometheus(tmp_path, target_port))
        return started[-1]

    yield start
    for p in started:
        p.stop()


def drive(url: str, paths: list[str]) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda p: get(url + p)[0], paths))


def test_guide_queries_return_data_from_a_real_prometheus(papyrus_server, prometheus):
    server = papyrus_server(workers=2, env=LIVE_SETTINGS)
    # One of each first, so every series exists before Prometheus' first scrape and
    # rate() sees the whole burst below as an increase.
    assert drive(server.url, ["/api/pages", "/no/such/page", "/test/boom"]) == [200, 404, 500]
    prom = prometheus(server.port)
    wait_until(lambda: prom.query('papyrus_http_requests_total{status="500"}'))

    ok, missing, failed = 180, 20, 20
    statuses = drive(server.url, ["/api/pages"] * ok + [f"/no/such/page/{i}" for i in range(missing)]
                     + ["/test/boom"] * failed)
    assert statuses.count(200) == ok and statuses.count(404) == missing and statuses.count(500) == failed
    total = 3 + ok + missing + failed
    wait_until(lambda: prom.scalar("sum(papyrus_http_requests_total)") >= total, "the burst scraped", timeout=30)
    prom.after_more_scrapes()  # rate() then has samples on both sides of the burst, and some after

    rates = prom.query(GUIDE_RATE)
    assert rates, "rate(papyrus_http_requests_total[5m]) is empty"
    by_route = {(r["metric"]["route"], r["metric"]["status"]): float(r["value"][1]) for r in rates}
    assert by_route[("/api/pages", "200")] > 0 and by_route[("/test/boom", "500")] > 0
    assert by_route[("<unmatched>", "404")] > 0
    assert not [r for r in rates if r["metric"]["route"] == "/metrics"]

    p95 = prom.query(GUIDE_P95)
    assert p95, "the p95 query is empty"
    api_p95 = [float(r["value"][1]) for r in p95 if r["metric"]["route"] == "/api/pages"]
    assert api_p95 and 0 < api_p95[0] < 10

    ratio = prom.scalar(GUIDE_ERRORS)
    assert ratio == pytest.approx(failed / (ok + missing + failed), abs=0.01)

    assert prom.scalar('up{job="papyrus"}') == 1
    assert prom.scalar("sum(papyrus_active_connections)") == 0
    assert prom.scalar('count(process_resident_memory_bytes{job="papyrus"})') == 2  # one per worker, unprefixed


def test_dashboard_queries_and_alert_rules_work_in_prometheus(papyrus_server, prometheus):
    server = papyrus_server(workers=2, env=LIVE_SETTINGS)
    drive(server.url, ["/api/pages", "/test/boom", "/health/live"] * 5)
    prom = prometheus(server.port)
    wait_until(lambda: prom.query("papyrus_http_requests_total"))
    drive(server.url, ["/api/pages", "/test/boom", "/health/live"] * 5)
    prom.after_more_scrapes()  # the second round is in, so every rate() has an increase

    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "papyrus.json").read_text())
    fed_by_http = ("requests_total", "request_duration", "size_bytes", "active_connections", "db_query", "process_")
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            result = prom.query(target["expr"])  # a PromQL error fails inside api()
            if any(word in target["expr"] for word in fed_by_http):
                assert result, f"panel {panel['title']!r} has no data: {target['expr']}"

    rules = wait_until(lambda: [r for g in prom.api("rules")["groups"] for r in g["rules"]
                              if r.get("lastEvaluation", "").startswith("2") and r["health"] == "ok"])
    assert {r["name"] for r in rules} >= {"PapyrusHighErrorRatio", "PapyrusSlowRequests", "PapyrusTargetDown",
                                          "PapyrusBackupTooOld", "PapyrusRestoreDrillTooOld"}
    # a third of the requests fail: the error-ratio alert is pending (it needs 5 minutes to fire)
    wait_until(lambda: [a for a in prom.api("alerts")["alerts"] if a["labels"]["alertname"] == "PapyrusHighErrorRatio"])


def test_exposition_passes_promtool_check_metrics(papyrus_server):
    server = papyrus_server(workers=2, env=LIVE_SETTINGS)
    drive(server.url, ["/api/pages", "/no/such/page", "/test/boom", "/health/live"])
    status, body = get(server.url + "/metrics")
    assert status == 200
    result = promtool("check", "metrics", stdin=body)
    assert result.returncode == 0 and result.stdout + result.stderr == b"", result


def test_promtool_check_and_test_rules():
    rules = promtool("check", "rules", str(DEPLOY / "prometheus" / "alerts.yml"))
    assert rules.returncode == 0 and b"SUCCESS: 8 rules found" in rules.stdout, rules
    tests = promtool("test", "rules", str(DEPLOY / "prometheus" / "alerts_test.yml"))
    assert tests.returncode == 0 and b"SUCCESS" in tests.stdout, tests
    config = promtool("check", "config", str(DEPLOY / "prometheus" / "prometheus.yml"))
    assert config.returncode == 0, config
