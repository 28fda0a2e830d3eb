"""The periodic list: `ops_digest errors` and `ops_digest performance`, and their weekly beat entries."""
import gzip
import json
import logging
import os
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tests.support.http import request
from tests.support.live import ROOT, LiveServer, free_port
from tests.support.wait import wait_until

NOW = datetime.now(timezone.utc)


def line(level, message, *, days_ago=0.0, **extra):
    when = (NOW - timedelta(days=days_ago)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"level": level, "message": message, "timestamp": when, "service": "papyrus", **extra})


def ops_digest(*args, env):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "ops_digest", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def log_dir(tmp_path):
    """combined.log + error.log as ops.logging writes them (errors in both), a gzipped rotated file,
    an old error outside the window and a line that is not JSON."""
    boom = line("error", "Internal Server Error: /api/pages/{id}", route="/api/pages/{id}", status=500)
    lost = line("error", "Redis unavailable", days_ago=1)
    old = line("error", "Ancient failure", days_ago=30, route="/old")
    (tmp_path / "combined.log").write_text("\n".join([
        line("info", "started"), line("http", "GET /api/pages", route="/api/pages"), boom, lost, "not json"]) + "\n")
    (tmp_path / "error.log").write_text("\n".join([boom, lost, old]) + "\n")
    with gzip.open(tmp_path / "combined.log.2020-01-01.gz", "wt") as rotated:
        rotated.write(line("error", "Internal Server Error: /api/pages/{id}", days_ago=2,
                           route="/api/pages/{id}") + "\n")
    (tmp_path / "other.txt").write_text(line("error", "not a log file") + "\n")
    return tmp_path


def test_error_digest_counts_errors_once_and_ranks_messages_and_routes(log_dir, capsys, caplog):
    with caplog.at_level(logging.INFO, logger="ops.reports"):
        call_command("ops_digest", "errors", "--days", "7", "--log-dir", str(log_dir), "--json")
    doc = json.loads(capsys.readouterr().out)

    assert doc["errors"] == 3  # boom (in both files), lost (in both), the rotated one; not the 30-day-old one
    assert doc["topMessages"][0] == {"message": "Internal Server Error: /api/pages/{id}", "count": 2}
    assert {"message": "Redis unavailable", "count": 1} in doc["topMessages"]
    assert doc["topRoutes"][0] == {"route": "/api/pages/{id}", "count": 2}
    assert doc["unparsedLines"] == 1 and doc["files"] == 3
    logged = [r for r in caplog.records if r.name == "ops.reports"]
    assert logged and logged[0].digest["errors"] == 3  # the digest is logged with its figures as fields


def test_error_digest_text_and_window(log_dir, capsys):
    call_command("ops_digest", "errors", "--days", "60", "--log-dir", str(log_dir))
    out = capsys.readouterr().out

    assert "errors: 4" in out and "Ancient failure" in out and "top routes:" in out


def test_error_digest_reads_lines_written_by_the_projects_logging(capsys):
    marker = f"digest-probe-{uuid.uuid4().hex}"
    logger = logging.getLogger("papyrus.digest_test")
    logger.error(marker)
    logger.error(marker)
    for handler in logging.getLogger().handlers + logger.handlers:
        handler.flush()

    call_command("ops_digest", "errors", "--days", "1", "--json", "--top", "1000")
    doc = json.loads(capsys.readouterr().out)

    assert {"message": marker, "count": 2} in doc["topMessages"], f"LOG_DIR={settings.LOG_DIR}: {doc}"


def test_error_digest_sent_to_sentry(log_dir, sentry_recorder, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", "SENTRY_DSN": sentry_recorder.dsn,
           "LOG_DIR": str(tmp_path / "own-logs")}

    result = ops_digest("errors", "--log-dir", str(log_dir), "--sentry", env=env)

    assert result.returncode == 0, result.stderr
    assert "sent to Sentry:" in result.stdout
    assert b"Error digest" in sentry_recorder.bodies() and b"errors: 3" in sentry_recorder.bodies()


def test_sentry_flag_without_dsn_is_a_clear_error(log_dir):
    with pytest.raises(CommandError, match="SENTRY_DSN is not set"):
        call_command("ops_digest", "errors", "--log-dir", str(log_dir), "--sentry")


def test_bad_arguments_are_clear_errors():
    with pytest.raises(CommandError, match="--days must be positive"):
        call_command("ops_digest", "errors", "--days", "0")
    with pytest.raises(CommandError, match="cannot read metrics"):
        call_command("ops_digest", "performance", "--metrics-url", f"http://127.0.0.1:{free_port()}/metrics")


# --- performance summary ------------------------------------------------------------------------

PROMETHEUS_CONFIG = """
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: papyrus
    authorization:
      type: Bearer
      credentials_file: {token_file}
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


@pytest.fixture(scope="module")
def busy_site(migrated_main_db, tmp_path_factory):
    """A live site (granian, 2 workers, /metrics behind a token) that served a few requests."""
    token = secrets.token_urlsafe(24)
    env = {"METRICS_TOKEN": token, "LOG_DIR": str(tmp_path_factory.mktemp("logs"))}
    with LiveServer(workers=2, env=env) as server:
        for path in ["/api/pages"] * 5 + ["/api/search?q=x"] * 3 + ["/health/live"] * 3:
            urllib.request.urlopen(server.url + path, timeout=5).read()
        yield server, {**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", **env}


def test_performance_summary_from_local_metrics(busy_site):
    server, env = busy_site

    result = ops_digest("performance", "--metrics-url", server.url + "/metrics", "--json", env=env)

    assert result.returncode == 0, result.stderr
    routes = {r["route"]: r for r in json.loads(result.stdout)["routes"]}
    assert routes["/api/pages"]["requests"] >= 5 and routes["/api/pages"]["p95Ms"] > 0
    assert routes["/api/search"]["requests"] >= 3


def test_performance_summary_from_a_real_prometheus(busy_site, tmp_path):
    server, env = busy_site
    token_file = tmp_path / "token"
    token_file.write_text(env["METRICS_TOKEN"])
    config = tmp_path / "prometheus.yml"
    config.write_text(PROMETHEUS_CONFIG.format(token_file=token_file, port=server.port))
    port = free_port()
    prometheus = subprocess.Popen(
        ["/usr/bin/prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        # rate() needs two scrapes with traffic between them.
        wait_for_series(url, "papyrus_http_requests_total")
        for _ in range(5):
            urllib.request.urlopen(server.url + "/api/pages", timeout=5).read()
        wait_for_series(url, 'rate(papyrus_http_request_duration_seconds_bucket{route="/api/pages"}[1m]) > 0')

        result = ops_digest("performance", "--prometheus", url, "--days", "1", env=env)
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=20)

    assert result.returncode == 0, result.stderr
    assert f"from {url} (last 1 days)" in result.stdout
    assert "/api/pages" in result.stdout


def wait_for_series(url: str, promql: str, timeout: float = 30.0) -> None:
    query = f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    def found():
        reply = request("GET", query, timeout=2)
        return reply.status == 200 and reply.json()["data"]["result"]

    wait_until(found, f"Prometheus to return {promql}", timeout=timeout, interval=0.3, ignore=(OSError,))


# --- weekly schedule -----------------------------------------------------------------------------

def test_weekly_digests_are_in_the_beat_schedule_and_registered():
    from papyrus.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovers tasks modules
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    for task in ("ops_checklist.weekly_error_digest", "ops_checklist.weekly_performance_summary"):
        assert task in entries
        assert task in app.tasks  # autodiscovered from ops.reports.tasks
    schedule = entries["ops_checklist.weekly_error_digest"]["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7}


def test_beat_schedule_merges_instead_of_replacing():
    from ops.reports.schedule import beat_schedule

    site = {"backups-create": {"task": "x", "schedule": 60}}
    site.update(beat_schedule(errors_cron="0 8 * * 2", performance_cron="nonsense"))

    assert set(site) == {"backups-create", "ops-weekly-error-digest"}  # an invalid cron adds nothing


def test_weekly_error_digest_task_runs(log_dir, settings):
    from ops.reports.tasks import weekly_error_digest

    settings.LOG_DIR = str(log_dir)
    result = weekly_error_digest.apply().get()

    assert result["errors"] == 3


def test_weekly_performance_task_reads_configured_metrics(busy_site, settings):
    from ops.reports.tasks import weekly_performance_summary

    server, env = busy_site
    settings.OPS_DIGEST_PROMETHEUS_URL = ""
    settings.OPS_DIGEST_METRICS_URL = server.url + "/metrics"
    settings.METRICS_TOKEN = env["METRICS_TOKEN"]

    result = weekly_performance_summary.apply().get()

    assert "/api/pages" in {r["route"] for r in result["routes"]}


def test_error_route_comes_from_the_request_line_or_the_django_message(tmp_path, capsys):
    (tmp_path / "combined.log").write_text("\n".join([
        line("http", "GET /api/pages/7 500", route="/api/pages/{id}", requestId="r1"),
        line("error", "boom", requestId="r1"),
        line("error", "Internal Server Error: /test/boom", logger="django.request", requestId="r2"),
    ]) + "\n")

    call_command("ops_digest", "errors", "--log-dir", str(tmp_path), "--json")
    routes = {r["route"]: r["count"] for r in json.loads(capsys.readouterr().out)["topRoutes"]}

    assert routes == {"/api/pages/{id}": 1, "/test/boom": 1}


def test_digest_reaches_sentry_when_the_sdk_is_not_running(log_dir, sentry_recorder, capsys):
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()  # the test process runs without SENTRY_DSN
    with override_settings(SENTRY_DSN=sentry_recorder.dsn):
        call_command("ops_digest", "errors", "--log-dir", str(log_dir), "--sentry")

    assert "sent to Sentry:" in capsys.readouterr().out
    assert b"Error digest" in sentry_recorder.bodies()
    assert sentry_recorder.requests[0]["headers"]["X-Sentry-Auth"].count(f"sentry_key={sentry_recorder.key}") == 1
