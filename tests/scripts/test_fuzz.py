"""Hostile requests through nginx as `make run` serves it (issue 19, "Done when"): at least 500,
across every API endpoint — malformed and deeply nested JSON, huge bodies, wrong types and
content types, NUL bytes, odd methods, hostile backup names. 0 × 5xx, 0 HTML error answers under
/api/, and the database is exactly as before."""
import http.client
import json
import socket
import uuid

import psycopg
import pytest

from tests.papyrus.wiki.test_malformed_input import GARBAGE
from tests.support.live import base_env, manage

PASSWORD = "Fuzz-Pass-1!"

# Every API route (papyrus/urls.py, the apps' urls.py); {page} is a page of the fuzzing user.
ROUTES = ["/api/pages", "/api/pages/{page}", "/api/search", "/api/teams", "/api/auth/register", "/api/auth/login",
          "/api/auth/refresh", "/api/auth/logout", "/api/auth/me", "/api/admin/backup", "/api/admin/backup/restore",
          "/api/admin/backups", "/api/admin/backups/{backup}", "/api/schema/", "/api/docs/"]

# (method, route, who): who sends it. Auth endpoints go anonymous (a valid cookie would make a
# refresh or logout succeed, which is not hostile); "POST /api/admin/backup" as a mere user
# (as staff any POST rightly starts a backup).
BODY_TARGETS = [("POST", "/api/pages", "user"), ("PATCH", "/api/pages/{page}", "user"),
                ("PUT", "/api/pages/{page}", "user"), ("POST", "/api/teams", "user"),
                ("POST", "/api/auth/register", None), ("POST", "/api/auth/login", None),
                ("POST", "/api/auth/refresh", None), ("POST", "/api/auth/logout", None),
                ("POST", "/api/admin/backup/restore", "admin"), ("POST", "/api/admin/backup", "user"),
                ("PATCH", "/api/auth/me", "user")]

HUGE = {
    "2.8 MB (past Django's limit, within nginx's)": b'{"title": "' + b"x" * int(2.8 * 1024 * 1024) + b'"}',
    "4 MB (past nginx's limit)": b"[" * (4 * 1024 * 1024),
    "2 KB nested 990 deep": b'{"email": "a@example.com", "password": ' + b"[" * 990 + b"]" * 990 + b"}",
}

WRONG_TYPES = [{"title": None}, {"title": []}, {"title": {"$gt": ""}}, {"title": True}, {"title": "x", "tags": "a"},
               {"title": "x", "tags": [1, [2]]}, {"title": "x", "teamId": "1; DROP TABLE wiki_page"},
               {"title": "x", "teamId": -1}, {"title": "x" * 300}, {"email": ["a@example.com"], "password": {}},
               {"email": "a@example.com\u0000", "password": "x\u0000"}, {"name": None, "file": None},
               {"file": ["backup_2026-01-01_000000.sql.gz"], "confirm": "yes"}, {"refresh": {"token": 1}}]

CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/xml",
                 "multipart/form-data; boundary=", "application/json; charset=ebcdic", "*/*"]

BACKUP_NAMES = ["..", "../../etc/passwd", "..%2f..%2fetc%2fpasswd", "backup_2026-01-01_000000.sql.gz%00.txt",
                "%00", "backup_" + "9" * 500 + ".sql.gz", "%E2%80%AE", "backup_2026-13-45_999999.sql.gz",
                "~root", "%2e%2e", "backup_2026-01-01_000000.sql.gz;rm%20-rf%20%2F", "C:%5Cwindows", "%ED%A0%80",
                "backup_2099-01-01_000000.sql.gz"]

ODD_METHODS = ["PROPFIND", "FOO", "TRACE", "OPTIONS", "PATCH", "DELETE", "PUT", "MKCOL", "SEARCH", "CONNECT",
               "M-SEARCH", "BREW"]

QUERIES = ["/api/pages?limit=-1", "/api/pages?limit=99999999999999999999", "/api/pages?offset=NaN",
           "/api/pages?teamId=%00", "/api/pages?tag=%FF%FE", "/api/search?q=" + "%25" * 300, "/api/search?q=%00",
           "/api/search?q=x&limit=1e309", "/api/pages?format=x", "/api/pages?format=api", "/api/schema/?format=xml",
           "/api/pages?q[]=1&q[]=2", "/api/search?q=%ED%A0%80", "/api/teams?x=" + "y" * 7000, "/api/pages/0",
           "/api/pages/-1", "/api/pages/99999999999999999999999", "/api/pages/%00", "/api/pages/not-a-number",
           "/api/nope", "/api/pages/1/", "/api/admin/backups?limit=%00", "/api/auth/me?format=x"]

RAW = [b"GET /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: a\x00b\r\nConnection: close\r\n\r\n",
       b"get /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
       b"POST /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n",
       b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\nConnection: close\r\n\r\n",
       b"GET /api/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
       b"GET /api/pages HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: accessToken=\xff\xfe\r\nConnection: close\r\n\r\n",
       b"GET /api/pages HTTP/9.9\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
       b"GET /api/pages?" + b"a" * 70000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"]


def snapshot(database_url: str) -> dict[str, str]:
    """Every application table's rows, digested (django_session aside: a cache-backed session
    store keeps none there)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
        return {t: conn.execute(f'SELECT count(*) || \':\' || md5(coalesce(string_agg(x::text, \'|\' '
                                f'ORDER BY x::text), \'\')) FROM "{t}" x').fetchone()[0] for t in tables}


class Fuzzer:
    def __init__(self, port: int, tokens: dict, page: int):
        self.port, self.tokens, self.page = port, tokens, page
        self.results: list[tuple[str, str, int, str, bytes]] = []

    def path(self, route: str, backup: str = "backup_2026-01-01_000000.sql.gz") -> str:
        return route.format(page=self.page, backup=backup)

    def send(self, method: str, path: str, body: bytes | None = None, *, who=None, content_type=None):
        headers = {"Connection": "close"}
        if who:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        if content_type is not None:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            if body is not None:
                try:
                    conn.send(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # nginx answered (413) before reading it all
            r = conn.getresponse()
            self.results.append((method, path[:120], r.status, r.getheader("Content-Type") or "", r.read()[:300]))
        except (http.client.HTTPException, OSError) as exc:  # a broken answer counts as a server failure
            self.results.append((method, path[:120], 599, "", repr(exc).encode()[:300]))
        finally:
            conn.close()

    def send_raw(self, data: bytes):
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        ctype = next((x.split(":", 1)[1].strip() for x in lines if x.lower().startswith("content-type:")), "")
        self.results.append(("RAW", data[:60].decode("latin-1"), int(lines[0].split()[1]), ctype, body[:300]))


def sign_in(url_port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", url_port, timeout=30)
    conn.request("POST", "/api/auth/login", json.dumps({"email": email, "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    assert r.status == 200, r.read()
    cookie = next(v for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("accessToken="))
    return cookie.split(";")[0].split("=", 1)[1]


@pytest.fixture(scope="module")
def fuzz_users(make_run):
    tag = uuid.uuid4().hex[:8]
    env = base_env(**make_run.env, DJANGO_SUPERUSER_PASSWORD=PASSWORD)
    env["DJANGO_SETTINGS_MODULE"] = "settings.dev"  # its password hasher, as make run serves
    manage("createsuperuser", "--noinput", "--email", f"fuzz-admin-{tag}@example.com", "--name", "Fuzz Admin", env=env)
    user_email = f"fuzz-user-{tag}@example.com"
    conn = http.client.HTTPConnection("127.0.0.1", make_run.port, timeout=30)
    conn.request("POST", "/api/auth/register", json.dumps({"name": "Fuzz", "email": user_email, "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    assert conn.getresponse().status == 201
    tokens = {"user": sign_in(make_run.port, user_email), "admin": sign_in(make_run.port, f"fuzz-admin-{tag}@example.com")}
    conn = http.client.HTTPConnection("127.0.0.1", make_run.port, timeout=30)
    conn.request("POST", "/api/pages", json.dumps({"title": "Fuzz target", "content": "kept"}),
                 {"Content-Type": "application/json", "Authorization": f"Bearer {tokens['user']}"})
    r = conn.getresponse()
    assert r.status == 201
    return tokens, json.loads(r.read())["id"]


def test_hostile_requests_through_nginx_never_500_never_html_and_change_nothing(make_run, fuzz_users):
    tokens, page = fuzz_users
    before = snapshot(make_run.env["DATABASE_URL"])
    f = Fuzzer(make_run.port, tokens, page)

    for method, route, who in BODY_TARGETS:
        for body in [*GARBAGE.values(), *HUGE.values()]:
            f.send(method, f.path(route), body, who=who, content_type="application/json")
        for fields in WRONG_TYPES:
            if route == "/api/pages/{page}" and not {"title", "tags", "teamId"} & set(fields):
                continue  # a PATCH of unknown fields only is a valid no-op (it records a revision)
            f.send(method, f.path(route), json.dumps(fields).encode(), who=who, content_type="application/json")
        for content_type in CONTENT_TYPES:
            f.send(method, f.path(route), b'title=x&email=a%40example.com&file=..', who=who, content_type=content_type)
    for route in ROUTES:
        for method in ODD_METHODS:
            f.send(method, f.path(route), b"{}", content_type="application/json")
            if method not in ("PATCH", "PUT", "DELETE"):  # as the owner these are real edits
                f.send(method, f.path(route), b"{}", who="user", content_type="application/json")
    for name in BACKUP_NAMES:
        for method in ("GET", "DELETE", "PUT"):
            f.send(method, "/api/admin/backups/" + name, who="admin")
        f.send("POST", "/api/admin/backup/restore",
               json.dumps({"file": name.replace("%00", "\u0000"), "confirm": True}).encode(), who="admin",
               content_type="application/json")
    for path in QUERIES:
        f.send("GET", path, who="user")
        f.send("GET", path)
    for data in RAW:
        f.send_raw(data)

    assert len(f.results) >= 500, len(f.results)
    server_errors = [r for r in f.results if r[2] >= 500]
    html = [r for r in f.results if (r[1].startswith("/api") or r[0] == "RAW") and "html" in r[3].lower()
            and not (r[1].startswith("/api/docs/") and r[2] < 400)]
    not_json_errors = [r for r in f.results if r[2] >= 400 and "json" not in r[3]]
    assert not server_errors, (len(server_errors), len(html), server_errors[:10])
    assert not html, (len(html), html[:10])
    assert not not_json_errors, not_json_errors[:10]
    assert snapshot(make_run.env["DATABASE_URL"]) == before, "a hostile request changed the database"
    print(f"\n[fuzz] {len(f.results)} hostile requests through nginx: statuses "
          f"{sorted({r[2] for r in f.results})}, 0 × 5xx, 0 HTML, database unchanged")
