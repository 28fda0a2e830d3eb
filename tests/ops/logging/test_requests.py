"""Request ids, the `http` line per request, and the context that follows into Celery tasks."""
import json
import re
import subprocess
import sys
from types import SimpleNamespace

from ops.logging import celery as ops_celery
from ops.logging import context
from tests.support.live import ROOT, base_env

from ..errors.support import call


def test_a_well_formed_request_id_is_echoed_and_others_replaced(client, db):
    assert client.get("/health/live", HTTP_X_REQUEST_ID="abc-123.x:y_z")["X-Request-ID"] == "abc-123.x:y_z"
    for bad in ("has spaces", "x" * 129, "<script>", "-leading-dash", ""):
        given = client.get("/health/live", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", given), bad
    assert re.fullmatch(r"[0-9a-f]{32}", client.get("/health/live")["X-Request-ID"])


def _http_lines(log_dir):
    path = log_dir / "combined.log"
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [r for r in lines if r["level"] == "http"]


def test_one_http_line_per_request_only_when_log_level_allows(papyrus_server, tmp_path):
    verbose = papyrus_server(workers=1, env={"LOG_LEVEL": "http", "LOG_DIR": str(tmp_path / "http")})
    status, head, _ = call(verbose.url + "/api/pages?limit=1", headers={"X-Request-ID": "req-list-1"})
    assert status == 200 and head["X-Request-ID"] == "req-list-1"
    status, _, _ = call(verbose.url + "/api/pages/999999", headers={"X-Request-ID": "req-missing-1"})
    assert status == 404
    status, _, _ = call(verbose.url + "/api/auth/login", method="POST",
                        body={"email": "nobody@example.com", "password": "Wr0ng-pass!"},
                        headers={"X-Request-ID": "req-login-1"})
    assert status == 401
    verbose.stop()

    lines = {r["requestId"]: r for r in _http_lines(tmp_path / "http")}
    listed = lines["req-list-1"]
    assert listed["message"].startswith("GET /api/pages 200 ")
    assert {k: listed[k] for k in ("method", "route", "status", "requestBytes", "userId", "ip", "service")} == {
        "method": "GET", "route": "/api/pages", "status": 200, "requestBytes": 0, "userId": None,
        "ip": "127.0.0.1", "service": "papyrus"}
    assert listed["responseBytes"] == int(head["Content-Length"]) > 0
    assert isinstance(listed["durationMs"], float)
    assert lines["req-missing-1"]["route"] == "/api/pages/{page_id}" and lines["req-missing-1"]["status"] == 404
    login = lines["req-login-1"]
    assert login["method"] == "POST" and login["status"] == 401 and login["requestBytes"] > 0
    assert "Wr0ng-pass!" not in (tmp_path / "http" / "combined.log").read_text()

    quiet = papyrus_server(workers=1, env={"LOG_LEVEL": "info", "LOG_DIR": str(tmp_path / "info")})
    status, head, _ = call(quiet.url + "/api/pages", headers={"X-Request-ID": "req-quiet-1"})
    assert status == 200 and head["X-Request-ID"] == "req-quiet-1"
    quiet.stop()
    assert _http_lines(tmp_path / "info") == []


def test_the_request_context_travels_in_task_headers():
    headers = {}
    ops_celery.add_context_headers(headers=headers)
    assert headers == {}  # outside a request nothing is added
    token = context.bind(context.RequestContext("req-7", None, user_id=5, user_email="a@example.com"))
    try:
        ops_celery.add_context_headers(headers=headers)
    finally:
        context.reset(token)
    assert headers == {"ops_request_id": "req-7", "ops_user_id": 5, "ops_user_email": "a@example.com"}

    task = SimpleNamespace(request=SimpleNamespace(**headers))
    ops_celery.bind_task_context(task=task)
    assert context.current_request_id() == "req-7" and context.current().user() == (5, "a@example.com")
    ops_celery.clear_task_context()
    assert context.current() is None


def test_logging_app_installs_without_papyrus():
    script = ("import json, sys, django; django.setup()\n"
              "from django.conf import settings\n"
              "from django.core.management import call_command\n"
              "from django.test import Client\n"
              "call_command('check')\n"
              "response = Client().get('/items/5', HTTP_X_REQUEST_ID='solo-1')\n"
              "assert response['X-Request-ID'] == 'solo-1'\n"
              "assert not [m for m in sys.modules if m.split('.')[0] in ('papyrus', 'backups_app')]\n"
              "import logging; logging.shutdown()  # writes the buffered lines\n"
              "print(open(settings.LOG_DIR + '/combined.log').read())\n")
    env = base_env(DJANGO_SETTINGS_MODULE="tests.ops.logging.settings")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    line = json.loads(done.stdout.strip().splitlines()[-1])
    assert line["route"] == "/items/{item_id}" and line["requestId"] == "solo-1" and line["service"] == "standalone"


def test_the_middleware_works_under_asgi_too(db):
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    response = async_to_sync(AsyncClient().get)("/health/live", headers={"X-Request-ID": "async-1"})
    assert response.status_code == 200 and response["X-Request-ID"] == "async-1"
