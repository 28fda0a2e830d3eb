"""What `make run` serves (issue 19 items 9, 11, 14): no debug pages, no public signing keys,
nginx's own errors in JSON under /api/, static files and the API docs served locally."""
import json
import socket
import stat
import uuid

import jwt
import pytest
from playwright.sync_api import sync_playwright

from scripts import run
from tests.support import http
from tests.support.http import LONG_LIST_QUERIES, LONG_LIST_QUERY_IDS
from tests.support.live import LiveServer, free_port

PUBLIC_DEFAULT_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production-0000"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def request(url, *, method="GET", body=None, headers=None):
    """(status, headers, raw body) of tests.support.http.request; `body` is sent as bytes."""
    reply = http.request(method, url, data=body, headers=headers, timeout=20)
    return reply.status, reply.headers, reply.raw


def raw_request(port, data: bytes) -> tuple[int, str, bytes]:
    """Bytes no HTTP library would send; → (status, content type, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    ctype = next((line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("content-type:")), "")
    return int(lines[0].split()[1]), ctype, body


# --- 11: secrets and debug pages ----------------------------------------------------------------

def test_make_run_signs_tokens_with_a_generated_secret_kept_in_var(make_run):
    secrets_file = make_run.var / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    generated = dict(line.split("=", 1) for line in secrets_file.read_text().splitlines() if "=" in line)
    assert set(generated) == {"DJANGO_SECRET_KEY", "JWT_SECRET"} and all(len(v) >= 50 for v in generated.values())

    email = f"{uuid.uuid4().hex[:10]}@example.com"
    body = json.dumps({"name": "Run", "email": email, "password": "s3cret-Pass!"}).encode()
    code, headers, _ = request(make_run.url + "/api/auth/register", method="POST", body=body,
                               headers={"Content-Type": "application/json"})
    assert code == 201
    token = next(c.split(";")[0].split("=", 1)[1] for c in headers.get_all("Set-Cookie") if c.startswith("accessToken="))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, PUBLIC_DEFAULT_JWT_SECRET, algorithms=["HS256"])
    assert jwt.decode(token, generated["JWT_SECRET"], algorithms=["HS256"])["user_id"]


def test_local_secrets_are_generated_once_and_the_environment_wins(tmp_path, monkeypatch):
    first = run.local_secrets(tmp_path)
    assert run.local_secrets(tmp_path) == first and first["JWT_SECRET"] != first["DJANGO_SECRET_KEY"]
    monkeypatch.setenv("PAPYRUS_VAR", str(tmp_path))
    env = run.app_env({"JWT_SECRET": "from-the-operator-" + "x" * 40})
    assert env["JWT_SECRET"].startswith("from-the-operator-") and env["DJANGO_SECRET_KEY"] == first["DJANGO_SECRET_KEY"]
    assert env["DJANGO_SETTINGS_MODULE"] == "settings.dev"


def test_make_run_shows_no_debug_page(make_run):
    code, headers, body = request(make_run.url + "/no-such-page")
    assert code == 404 and b"URLconf" not in body and b"api/auth/" not in body


def test_a_database_outage_under_make_run_settings_echoes_no_password(tmp_path, monkeypatch):
    """The login while PostgreSQL is unreachable: 503 JSON with Retry-After (issue 28.3), no password,
    no traceback."""
    monkeypatch.setenv("PAPYRUS_VAR", str(tmp_path))
    env = run.app_env({"DATABASE_URL": f"postgres://papyrus@127.0.0.1:{free_port()}/papyrus",
                       "RATE_LIMIT_ENABLED": "false", "LOG_DIR": str(tmp_path / "logs")})
    with LiveServer(workers=1, env=env) as server:
        body = json.dumps({"email": "alice@example.com", "password": "Sup3r-Secret-Pw!"}).encode()
        code, headers, answer = request(server.url + "/api/auth/login", method="POST", body=body,
                                        headers={"Content-Type": "application/json"})
        assert code == 503 and headers["Content-Type"].startswith("application/json"), answer[:500]
        assert headers["Retry-After"] and b"Sup3r-Secret-Pw" not in answer and b"Traceback" not in answer
        code, _, answer = request(server.url + "/no-such-page")
        assert code == 404 and b"URLconf" not in answer


# --- 9: nginx's own errors under /api/ are JSON ------------------------------------------------------

def test_nginx_413_for_an_api_body_is_json(make_run):
    code, headers, body = request(make_run.url + "/api/pages", method="POST", body=b"x" * (4 * 1024 * 1024),
                                  headers={"Content-Type": "application/json"})
    assert code == 413 and headers["Content-Type"].startswith("application/json"), body[:300]
    assert json.loads(body)["message"]


@pytest.mark.parametrize("query", LONG_LIST_QUERIES, ids=LONG_LIST_QUERY_IDS)
def test_a_long_list_query_is_answered_not_a_502(make_run, query):
    """Issue 28.2: the Link header once echoed every parameter and overflowed nginx's proxy buffer."""
    status, headers, body = request(make_run.url + "/api/pages?" + query, headers={"Content-Type": "application/json"})
    assert status == 200, body[:300]
    assert isinstance(json.loads(body), list) and "junk" not in headers["Link"]


def test_nginx_414_for_a_long_api_uri_is_json(make_run):
    code, ctype, body = raw_request(make_run.port, b"GET /api/pages?q=" + b"x" * 20000 + b" HTTP/1.1\r\n"
                                    b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert code == 414 and ctype.startswith("application/json") and json.loads(body)["message"]


@pytest.mark.parametrize("data", [
    b"GET /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\n",
    b"GET /api/pages HTTP/1.1\r\nConnection: close\r\n\r\n",  # no Host
    b"GET /api/pages\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    b"POST /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n",
    b"GET /api/pages HTTP/9.9\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
], ids=["two-content-lengths", "no-host", "nul-in-uri", "odd-transfer-encoding (nginx: 501)", "http-9.9 (nginx: 505)"])
def test_nginx_400_for_a_broken_api_request_is_json(make_run, data):
    code, ctype, body = raw_request(make_run.port, data)
    assert code == 400 and ctype.startswith("application/json") and json.loads(body)["message"], body[:300]


def test_nginx_405_is_json(make_run):
    code, ctype, body = raw_request(make_run.port, b"TRACE /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    b"Connection: close\r\n\r\n")
    assert code == 405 and ctype.startswith("application/json") and json.loads(body)["message"]


# --- 14: static files and API docs ---------------------------------------------------------------

def test_static_files_are_served_hashed_and_compressed(make_run):
    code, headers, body = request(make_run.url + "/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"})
    assert code == 200 and headers["Content-Type"].startswith("text/css")
    assert headers.get("Content-Encoding") == "gzip"
    manifest = json.loads((make_run.var / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    code, headers, _ = request(make_run.url + "/static/" + hashed)
    assert code == 200 and "immutable" in headers["Cache-Control"]


def test_api_docs_use_the_pinned_sidecar_not_a_cdn(make_run):
    code, _, body = request(make_run.url + "/api/docs/")
    assert code == 200 and b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert b"cdn.jsdelivr" not in body and b"@latest" not in body


def test_the_admin_stylesheet_and_swagger_ui_load_in_a_browser(make_run):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            failed, foreign = [], []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(make_run.url) else None)
            page.goto(make_run.url + "/admin/login/")
            sheets = page.evaluate("""() => [...document.styleSheets].map(s => {
                let rules = -1; try { rules = s.cssRules.length } catch (e) {}
                return {href: s.href, rules} })""")
            base = [s for s in sheets if s["href"] and "admin/css/base" in s["href"]]
            assert base and base[0]["rules"] > 0, sheets
            # Styled: the admin header has its colour (an unstyled page's header is transparent).
            header_bg = page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
            assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent"), header_bg

            page.goto(make_run.url + "/api/docs/")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
            assert "Papyrus API" in page.inner_text(".swagger-ui .info .title")
            assert not failed, failed
            assert not foreign, foreign
        finally:
            browser.close()


def test_an_early_answer_to_a_big_body_is_the_apps_not_a_502(make_run):
    """401 before the body is read: the app drains it, or nginx, still sending, answers 502."""
    for _ in range(20):  # it was a race: some rounds got the 401, others a 502
        code, headers, body = request(make_run.url + "/api/auth/me", method="PATCH",
                                      body=b"x" * (3 * 1024 * 1024 - 4096), headers={"Content-Type": "application/json"})
        assert code == 401 and json.loads(body)["message"], (code, body[:200])


def test_options_on_the_api_docs_is_not_a_500(make_run):
    code, headers, body = request(make_run.url + "/api/docs/", method="OPTIONS")
    assert code == 405 and headers["Content-Type"].startswith("application/json")


# --- issue 28: "serving" only once the app answers ----------------------------------------------

def test_serving_is_printed_only_once_the_app_answers(make_run):
    """The line once came before the servers had started: the first clicks got nginx's 502."""
    assert make_run.first_answers == {"/health/ready": 200, "/api/pages": 200}
