"""The original Papyr.us load-test flow, unmodified, against a live production-shape server.

Like those clients: every request (GETs included) carries `Content-Type: application/json`,
cookies are sent back by hand as `Cookie: accessToken=…; refreshToken=…` (or the first only).
"""
import http.client
import json
import uuid
from urllib.parse import urlsplit

import pytest


class Raw:
    """A tiny HTTP client that keeps the raw response headers in wire order."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def request(self, method, path, body=None, cookie=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if cookie:
            headers["Cookie"] = cookie
        payload = json.dumps(body).encode() if body is not None else None
        try:
            conn.request(method, path, body=payload, headers=headers)
            r = conn.getresponse()
            raw = r.read()
            headers_in_order = r.getheaders()
        finally:
            conn.close()
        data = json.loads(raw) if raw else None
        return r.status, headers_in_order, data


def set_cookies(headers) -> list[tuple[str, str]]:
    """[(name, full Set-Cookie value)] in the order the server sent them."""
    return [(v.split("=", 1)[0], v) for k, v in headers if k.lower() == "set-cookie"]


@pytest.fixture(scope="module")
def account():
    tag = uuid.uuid4().hex[:10]
    return {"name": f"Load {tag}", "email": f"load-{tag}@example.com", "password": "Load-test-1!"}


def sign_in(api, account) -> dict[str, str]:
    status, headers, body = api.request("POST", "/api/auth/login",
                                        {"email": account["email"], "password": account["password"]})
    assert status == 200, body
    assert body["user"]["email"] == account["email"]
    cookies = set_cookies(headers)
    assert [name for name, _ in cookies][:2] == ["accessToken", "refreshToken"]  # raw order on the wire
    for _, value in cookies:
        attrs = [a.strip().lower() for a in value.split(";")]
        assert "httponly" in attrs and "samesite=lax" in attrs and "path=/" in attrs
    return {name: value.split(";", 1)[0].split("=", 1)[1] for name, value in cookies}


def crud_flow(api, cookie):
    status, _, page = api.request("POST", "/api/pages",
                                  {"title": "Load test page", "content": "created by the test flow",
                                   "tags": ["test"]}, cookie=cookie)
    assert status == 201 and isinstance(page["id"], int), page
    path = f"/api/pages/{page['id']}"
    status, _, read = api.request("GET", path, cookie=cookie)
    assert status == 200 and read["title"] == "Load test page"
    status, _, patched = api.request("PATCH", path, {"content": "updated by the test flow"}, cookie=cookie)
    assert status == 200 and patched["content"] == "updated by the test flow"
    status, _, found = api.request("GET", "/api/search?q=test&limit=10", cookie=cookie)
    assert status == 200 and isinstance(found, list)
    status, _, teams = api.request("GET", "/api/teams", cookie=cookie)
    assert status == 200 and isinstance(teams, list)
    status, _, body = api.request("DELETE", path, cookie=cookie)
    assert status == 204 and body is None
    assert api.request("GET", path, cookie=cookie)[0] == 404


def test_original_load_test_flow(papyrus_server, account):
    api = Raw(papyrus_server(workers=2).url)

    status, _, health = api.request("GET", "/health")
    # The clients check only the key: no Celery worker runs beside this server, so it may say "degraded".
    assert status in (200, 503) and health["status"] in ("healthy", "degraded")

    status, _, _ = api.request("POST", "/api/auth/register", account)
    assert status == 201
    status, _, conflict = api.request("POST", "/api/auth/register", account)
    assert status == 409 and conflict["message"]

    tokens = sign_in(api, account)
    both = f"accessToken={tokens['accessToken']}; refreshToken={tokens['refreshToken']}"
    status, _, _ = api.request("POST", "/api/pages", {"title": "Public page for browsing", "content": "x"},
                                  cookie=both)
    assert status == 201

    status, _, pages = api.request("GET", "/api/pages")  # anonymous browsing
    assert status == 200 and isinstance(pages, list) and pages
    assert api.request("GET", f"/api/pages/{pages[0]['id']}")[0] == 200

    crud_flow(api, both)
    crud_flow(api, f"accessToken={tokens['accessToken']}")  # some clients send only the first cookie


def test_refresh_and_logout_over_the_wire(papyrus_server, account):
    api = Raw(papyrus_server(workers=2).url)
    api.request("POST", "/api/auth/register", account)  # 201 or 409: either way the account exists
    tokens = sign_in(api, account)
    old = f"refreshToken={tokens['refreshToken']}"
    status, headers, _ = api.request("POST", "/api/auth/refresh", cookie=old)
    assert status == 200
    assert [n for n, _ in set_cookies(headers)] == ["accessToken", "refreshToken"]
    assert api.request("POST", "/api/auth/refresh", cookie=old)[0] == 401  # rotated: the old one is dead
    fresh = sign_in(api, account)
    assert api.request("POST", "/api/auth/logout", cookie=f"refreshToken={fresh['refreshToken']}")[0] == 204
    assert api.request("POST", "/api/auth/refresh", cookie=f"refreshToken={fresh['refreshToken']}")[0] == 401
