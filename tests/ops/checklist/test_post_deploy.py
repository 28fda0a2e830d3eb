"""`ops_check --post-deploy URL` against a live granian server (the production shape)."""
import json
import os
import secrets
import shutil
import urllib.request

import pytest

from tests.support.live import LiveServer, free_port

from .conftest import lines_by_item, ops_check, wait_healthy

POST_ITEMS = {"health": "ok", "metrics": "ok", "log_files": "ok", "redis_status": "ok"}


@pytest.fixture(scope="module")
def site(migrated_main_db, checklist_celery_worker, tmp_path_factory):
    """A live site (granian, 2 workers) writing its logs to a fresh LOG_DIR, /metrics behind a
    token, a Celery worker beside it; and the environment to check it with."""
    env = {"LOG_DIR": str(tmp_path_factory.mktemp("logs")), "LOG_LEVEL": "http",
           "METRICS_TOKEN": secrets.token_urlsafe(24)}
    with LiveServer(workers=2, env=env) as server:
        urllib.request.urlopen(server.url + "/api/pages", timeout=5).read()  # traffic: a request line is logged
        wait_healthy(server.url)
        yield server, {**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", **env}


def test_post_deploy_against_a_live_site_passes(site):
    server, env = site

    result = ops_check("--post-deploy", server.url, env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert lines_by_item(result.stdout) == POST_ITEMS
    assert "HTTP 200 healthy" in result.stdout
    assert "papyrus_http_requests_total present" in result.stdout
    assert "combined.log" in result.stdout or ".log written" in result.stdout
    assert env["METRICS_TOKEN"] not in result.stdout + result.stderr


def test_post_deploy_json(site):
    server, env = site

    doc = json.loads(ops_check("--post-deploy", server.url, "--json", env=env).stdout)

    assert doc["list"] == "post-deploy" and doc["ok"] is True
    assert [r["item"] for r in doc["results"]] == list(POST_ITEMS)


def test_wrong_metrics_token_fails_metrics(site):
    server, env = site

    result = ops_check("--post-deploy", server.url, env={**env, "METRICS_TOKEN": "not-the-token-" + "x" * 20})

    assert result.returncode == 1
    assert lines_by_item(result.stdout) == {**POST_ITEMS, "metrics": "FAIL"}
    assert "answered HTTP 401" in result.stdout or "answered HTTP 403" in result.stdout


def test_empty_log_dir_fails_log_files(site, tmp_path):
    server, env = site
    empty = tmp_path / "elsewhere"
    empty.mkdir()

    result = ops_check("--post-deploy", server.url, "--only", "log_files", env={**env, "LOG_DIR": str(empty)})

    assert result.returncode == 1 and "FAIL log_files  no *.log files in" in result.stdout


def test_stale_logs_fail_log_files(site, tmp_path):
    server, env = site
    stale = tmp_path / "stale"
    shutil.copytree(env["LOG_DIR"], stale)
    for path in stale.iterdir():
        os.utime(path, (1_000_000_000, 1_000_000_000))  # 2001: nothing written since

    result = ops_check("--post-deploy", server.url, "--only", "log_files", env={**env, "LOG_DIR": str(stale)})

    assert result.returncode == 1 and "last written" in result.stdout


def test_site_down_fails_health_and_metrics(site):
    _, env = site

    result = ops_check("--post-deploy", f"http://127.0.0.1:{free_port()}", env=env)  # nothing listens

    lines = lines_by_item(result.stdout)
    assert result.returncode == 1 and lines["health"] == "FAIL" and lines["metrics"] == "FAIL"
    assert "no answer from" in result.stdout


def test_post_deploy_needs_an_http_url(site):
    _, env = site

    result = ops_check("--post-deploy", "example.com", env=env)

    assert result.returncode != 0 and "needs an http(s) URL" in result.stderr


def test_a_container_logging_to_stdout_passes_log_files(site, tmp_path):
    """LOG_FILES=false (docker-compose): no files are expected; the item says where the lines go."""
    server, env = site
    empty = tmp_path / "never-written"
    result = ops_check("--post-deploy", server.url, "--only", "log_files",
                       env={**env, "LOG_DIR": str(empty), "LOG_FILES": "false"})

    assert result.returncode == 0, result.stdout
    assert lines_by_item(result.stdout) == {"log_files": "ok"} and "LOG_FILES=false" in result.stdout
