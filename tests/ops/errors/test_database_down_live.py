"""PostgreSQL stopped, then failing over to read-only, under a live server with persistent connections:
every path answers 503 with Retry-After (JSON, or a small page for a browser), never 500, and
everything works again by itself once the database is back (issue 28.3)."""
import json
import os
import tempfile
import uuid
from pathlib import Path

import pytest

from scripts.services import Postgres, free_port
from tests.support.fake_sentry import FakeSentry
from tests.support.http import Http
from tests.support.live import base_env, manage
from tests.support.wait import wait_until

PASSWORD = "s3cret-Pass!"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ROUNDS = 4  # each probe this many times, so both server processes meet the outage


@pytest.fixture
def cluster():
    """A PostgreSQL cluster of this test alone (it is stopped mid-test)."""
    base = Path(tempfile.mkdtemp(prefix="db-down-", dir=os.environ.get("PAPYRUS_TEST_TMP")))
    os.chmod(base, 0o755)  # the postgres user must reach its data directory
    pg = Postgres(base / "pg" / "data", free_port(), fast=True)
    pg.start()
    pg.base = base
    yield pg
    pg.stop()


@pytest.fixture
def sentry():
    with FakeSentry() as fake:
        yield fake


@pytest.fixture
def site(cluster, papyrus_server, sentry):
    """A migrated database, a live server (2 processes, persistent connections, Sentry on, a view that
    raises at /test/boom-plain), a signed-in user with a page."""
    env = base_env(DATABASE_URL=cluster.url, DATABASE_CONN_MAX_AGE="600", LOG_DIR=str(cluster.base / "logs"),
                   DATABASE_UNAVAILABLE_RETRY_AFTER="7", SENTRY_DSN=sentry.dsn,
                   DJANGO_SETTINGS_MODULE="tests.ops.errors.live_settings")
    manage("migrate", "--noinput", "-v0", env=env)
    server = papyrus_server(workers=2, env=env, log=cluster.base / "server.out")
    http = Http(server.url)
    email = f"dba-{uuid.uuid4().hex[:8]}@example.com"
    status, _, body = http.call("POST", "/api/auth/register", {"name": "Dee", "email": email, "password": PASSWORD})
    assert status == 201, body
    status, _, page = http.call("POST", "/api/pages", {"title": "Before the outage", "content": "x"})
    assert status == 201, page
    assert http.request("GET", "/login/", headers=BROWSER).status == 200  # the CSRF cookie for the form
    http.email, http.page_id, http.admin, http.server = email, page["id"], admin_session(server, env), server
    return http


def admin_session(server, env) -> Http:
    """A staff member signed in to the Django admin (a session in Redis, the user in PostgreSQL)."""
    email = f"root-{uuid.uuid4().hex[:8]}@example.com"
    manage("createsuperuser", "--noinput", "--email", email, "--name", "Root",
           env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    admin = Http(server.url)
    assert admin.request("GET", "/admin/login/", headers=BROWSER).status == 200
    reply = admin.request("POST", "/admin/login/?next=/admin/", headers={
        **BROWSER, "Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": admin.cookie("csrftoken")},
        data=f"username={email}&password={PASSWORD}&next=/admin/".encode())
    assert reply.status == 200 and b"Site administration" in reply.raw, reply.status
    return admin


def probes(http):
    """(what, method, path, JSON body or form, headers): API reads and writes, auth, browser pages, admin."""
    page = f"/api/pages/{http.page_id}"
    form_headers = {**BROWSER, "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": http.cookie("csrftoken")}
    login_form = f"email={http.email}&password=wrong".encode()
    return [
        ("api list", "GET", "/api/pages", None, {}),
        ("api read", "GET", page, None, {}),
        ("api search", "GET", "/api/search?q=outage", None, {}),
        ("api create", "POST", "/api/pages", {"title": "During", "content": "y"}, {}),
        ("api update", "PATCH", page, {"content": "z"}, {}),
        ("api me", "GET", "/api/auth/me", None, {}),
        ("api login", "POST", "/api/auth/login", {"email": http.email, "password": PASSWORD}, {}),
        ("api register", "POST", "/api/auth/register",
         {"name": "N", "email": f"n-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD}, {}),
        ("api refresh", "POST", "/api/auth/refresh", {}, {}),
        ("web list", "GET", "/", None, BROWSER),
        ("web page", "GET", f"/pages/{http.page_id}/", None, BROWSER),
        ("web sign-in", "POST", "/login/", login_form, form_headers),
        ("admin", "GET", "/admin/", None, BROWSER, http.admin),
        ("admin pages", "GET", "/admin/wiki/page/", None, BROWSER, http.admin),
    ]


def send(http, probe):
    what, method, path, body, headers, *client = probe
    http = client[0] if client else http
    if isinstance(body, bytes):
        return http.request(method, path, data=body, headers=headers)
    return http.request(method, path, body=body, headers=headers)


# Answered from the access token's claims alone (papyrus.accounts.principal): no database needed.
WITHOUT_DATABASE = {"api me"}


def drill(http, *, database_down: bool):
    """Every probe ROUNDS times; counts {"requests", "503", "500"}. Database down: each probe that needs
    it is a well-formed 503, the others are served; up: no 5xx at all."""
    counts = {"requests": 0, "503": 0, "500": 0}
    for _ in range(ROUNDS):
        for probe in probes(http):
            reply = send(http, probe)
            counts["requests"] += 1
            counts["503"] += reply.status == 503
            counts["500"] += reply.status == 500
            if database_down and probe[0] not in WITHOUT_DATABASE:
                assert_unavailable(probe, reply)
            else:
                assert reply.status < 500, (probe[0], reply.status, reply.parsed())
    return counts


def assert_unavailable(probe, reply):
    what, _, path, _, headers, *_ = probe
    assert reply.status == 503, (what, reply.status, reply.parsed())
    assert reply.headers.get("Retry-After") == "7", what
    if path.startswith("/api/") or "text/html" not in headers.get("Accept", ""):
        assert reply.headers.get("Content-Type") == "application/json", what
        assert "unavailable" in reply.json()["message"], what
    else:
        assert reply.headers.get("Content-Type").startswith("text/html"), what
        assert b"Temporarily unavailable" in reply.raw, what


def back_to_normal(http):
    status, _, body = http.call("POST", "/api/pages", {"title": "After", "content": "w"})
    return status == 201 and http.request("GET", "/", headers=BROWSER).status == 200


def test_database_stopped_then_read_only_is_503_everywhere_and_recovers(site, cluster, sentry):
    assert drill(site, database_down=False)["500"] == 0  # warm: each process holds a persistent connection

    cluster.stop()  # fast shutdown: every held connection gets "terminating connection" (57P01), then refused
    down = drill(site, database_down=True)
    assert down["500"] == 0 and down["503"] == down["requests"] - ROUNDS * len(WITHOUT_DATABASE)

    cluster.start()
    wait_until(lambda: back_to_normal(site), "writes and pages to work again without a restart", timeout=60)
    assert drill(site, database_down=False)["500"] == 0

    # A failover caught half-way: the server still answers, read-only (25006), and drops its sessions.
    cluster._psql("ALTER DATABASE papyrus SET default_transaction_read_only = on")
    cluster._psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'papyrus'")
    api_write = next(p for p in probes(site) if p[0] == "api create")
    assert_unavailable(api_write, send(site, api_write))
    assert site.request("GET", f"/api/pages/{site.page_id}").status == 200  # reads still served

    cluster._psql("ALTER DATABASE papyrus RESET default_transaction_read_only")
    cluster._psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'papyrus'")
    wait_until(lambda: back_to_normal(site), "writes to work again after the failover", timeout=60)
    assert site.request("GET", "/test/boom-plain").status == 500  # a real bug still reaches Sentry
    site.server.stop()  # its processes flush their Sentry queues and log lines
    errors = [json.dumps(e) for e in sentry.items("event")]
    assert any("plain view failed" in e for e in errors)
    assert not [e for e in errors if "OperationalError" in e or "ReadOnlySqlTransaction" in e]
    log = (cluster.base / "logs" / "combined.log").read_text()
    assert "database unavailable, answering 503" in log
    error_log = cluster.base / "logs" / "error.log"  # warnings, not one error per request
    assert "Service Unavailable" not in (error_log.read_text() if error_log.exists() else "")
    print(f"\nPostgreSQL-down drill: {down['requests']} requests, {down['503']} × 503, {down['500']} × 500")
