"""Malformed input gets a clear 4xx JSON error, never a 500.

Raw bodies go through the Django test client's `generic` so nothing is re-encoded on the way.
"""
import json

import pytest
from django.test import Client

from papyrus.wiki.models import Page, Team
from tests.conftest import PASSWORD

GARBAGE = {
    "truncated": b'{"title": "x"',
    "not json": b"title=x&content=y",
    "invalid utf-8": b'{"title": "\xff\xfe\xfd"}',
    "latin-1 bytes": b'{"title": "caf\xe9"}',
    "bom": b'\xef\xbb\xbf{"title": "x"}',
    "NaN": b'{"title": "x", "teamId": NaN}',
    "Infinity": b'{"title": "x", "teamId": -Infinity}',
    "float overflow": b'{"title": "x", "teamId": 1e400}',
    "5000-digit int": b'{"title": "x", "teamId": ' + b"9" * 5000 + b"}",
    "lone surrogate": b'{"title": "\\ud800"}',
    "lone surrogate key": b'{"\\udfff": 1, "title": "x"}',
    "surrogate in tag": b'{"title": "x", "tags": ["\\udc00"]}',
    "NUL in string": b'{"title": "a\\u0000b"}',
    "raw NUL byte": b'{"title": "a\x00b"}',
    "array": b'[{"title": "x"}]',
    "string": b'"title"',
    "number": b"42",
    "null": b"null",
    "true": b"true",
    "deep arrays": b"[" * 100_000 + b"]" * 100_000,
    "deep objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "moderately deep": b'{"title": "x", "tags": ' + b"[" * 900 + b"]" * 900 + b"}",
    "5 MB string": b'{"title": "' + b"x" * (5 * 1024 * 1024) + b'"}',
    "5 MB content": b'{"title": "x", "content": "' + b"y" * (5 * 1024 * 1024) + b'"}',
    "control chars": b'{"title": "a\x01\x02"}',
    "duplicate keys": b'{"title": ["x"], "title": {"y": 1}, "tags": "x"}',
    "binary": bytes(range(256)) * 4,
}

WRITE_ENDPOINTS = [
    ("post", "/api/pages"),
    ("patch", "/api/pages/{id}"),
    ("put", "/api/pages/{id}"),
    ("post", "/api/teams"),
    ("post", "/api/auth/register"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/refresh"),
]


@pytest.fixture
def raw(user, page_of):
    """A signed-in raw Django client and the id of one of Alice's pages."""
    c = Client()
    assert c.post("/api/auth/login", {"email": user.email, "password": PASSWORD},
                  content_type="application/json").status_code == 200
    return c, page_of(user, "Target", content="kept").id


def assert_json_4xx(r):
    assert 400 <= r.status_code < 500, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    assert isinstance(r.json()["message"], str) and r.json()["message"]


@pytest.mark.parametrize("method, path", WRITE_ENDPOINTS)
@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_bodies_are_4xx_json(raw, method, path, name):
    c, page_id = raw
    c.cookies.pop("refreshToken")  # else /api/auth/refresh rightly falls back to the cookie
    r = c.generic(method.upper(), path.format(id=page_id), GARBAGE[name], content_type="application/json")
    assert_json_4xx(r)
    assert Page.objects.get(pk=page_id).title == "Target"
    assert Page.objects.count() == 1 and not Team.objects.exists()


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/xml",
    "", "application/json; charset=latin-1; garbage", "image/png",
])
@pytest.mark.parametrize("method, path", WRITE_ENDPOINTS)
def test_wrong_content_type_is_4xx_json(raw, content_type, method, path):
    c, page_id = raw
    r = c.generic(method.upper(), path.format(id=page_id), b'title=x&name=y', content_type=content_type)
    assert_json_4xx(r)
    assert Page.objects.get(pk=page_id).title == "Target"


def test_an_empty_body_is_an_empty_object(raw):
    c, page_id = raw
    r = c.generic("POST", "/api/pages", b" \n\t ", content_type="application/json")
    assert r.status_code == 400 and "title" in r.json()["errors"]
    r = c.generic("PATCH", f"/api/pages/{page_id}", b"", content_type="application/json")
    assert r.status_code == 200 and r.json()["title"] == "Target"


def test_json_with_charset_parameter_is_accepted(raw):
    c, _ = raw
    r = c.post("/api/pages", json.dumps({"title": "Charset"}), content_type="application/json; charset=utf-8")
    assert r.status_code == 201


@pytest.mark.parametrize("path", [
    "/api/pages?q=%00", "/api/pages?tag=%FF%FE", "/api/pages?folder=%ED%A0%80", "/api/pages?limit=%00",
    "/api/pages?offset=99999999999999999999999", "/api/pages?teamId=%00", "/api/pages?%00=%00",
    "/api/search?q=%00", "/api/search?q=%FF", "/api/search?q=%ED%A0%80", "/api/search?q=x&limit=NaN",
    "/api/search?q=" + "%C3%A9" * 150, "/api/pages/%00", "/api/pages/%ED%A0%80", "/api/teams?x=%00",
])
def test_odd_query_strings_and_paths_never_500(raw, path):
    c, _ = raw
    r = c.get(path, content_type="application/json")
    assert r.status_code < 500, (path, r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json")


def test_get_with_json_content_type_and_a_garbage_body_is_fine(raw):
    c, page_id = raw
    for path in ("/api/pages", f"/api/pages/{page_id}", "/api/search?q=target", "/api/teams"):
        assert c.generic("GET", path, b"{garbage", content_type="application/json").status_code == 200


def test_delete_and_logout_ignore_their_body(raw):
    c, page_id = raw
    assert c.generic("DELETE", f"/api/pages/{page_id}", b"{garbage", content_type="application/json").status_code == 204
    assert c.generic("POST", "/api/auth/logout", b"{garbage", content_type="application/json").status_code == 204


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer a b c", "Bearer \x00", "Bearer " + "x" * 10_000,
                                    "Bearer ÿÿÿ", "Basic YWxpY2U6cHc=", "Token abc", "bearer abc.def.ghi"])
def test_odd_authorization_headers_never_500(client, user, page_of, header):
    page = page_of(user)
    r = client.get(f"/api/pages/{page.id}", HTTP_AUTHORIZATION=header)
    assert r.status_code in (200, 401), (header, r.status_code)
    w = client.post("/api/pages", {"title": "x"}, format="json", HTTP_AUTHORIZATION=header)
    assert w.status_code in (401, 403), (header, w.status_code)


@pytest.mark.parametrize("cookie", ["garbage", "a.b.c", "\x00", "x" * 5000, ""])
def test_odd_access_cookies_read_as_anonymous(client, user, page_of, cookie):
    page = page_of(user)
    client.cookies["accessToken"] = cookie
    assert client.get(f"/api/pages/{page.id}").status_code == 200
    assert client.post("/api/pages", {"title": "x"}, format="json").status_code == 401


# --- Bounded parsing (issue 19 item 10) ---------------------------------------------------------

def deep(levels: int) -> bytes:
    """A small body nested `levels` deep inside an object with an email (what a login looks like)."""
    return b'{"email": "a@example.com", "password": ' + b"[" * levels + b"]" * levels + b"}"


@pytest.fixture
def rate_limited():
    """The project's real rate-limit rules on (the auth rule reads the body's email before the view)."""
    import uuid

    from django.conf import settings
    from django.test import override_settings

    from ops.ratelimit import rules

    isolated = {**settings.CACHES["default"], "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}"}
    with override_settings(RATE_LIMIT_ENABLED=True, CACHES={**settings.CACHES, "rl": isolated},
                           RATELIMIT_CACHE_ALIAS="rl"):
        yield
    rules.forget()


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register"])
def test_a_2kb_body_nested_990_deep_is_a_400_for_an_anonymous_client(db, rate_limited, path, caplog):
    body = deep(990)
    assert len(body) < 2100
    r = Client().generic("POST", path, body, content_type="application/json")
    assert r.status_code == 400, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json") and "nested" in r.json()["message"]
    assert not [rec for rec in caplog.records if rec.exc_info], "a traceback was logged"


def test_the_depth_limit_is_a_setting(raw, settings):
    c, _ = raw
    settings.API_JSON_MAX_DEPTH = 4
    ok = c.generic("POST", "/api/pages", b'{"title": "Depth", "tags": ["a"]}', content_type="application/json")
    assert ok.status_code == 201
    r = c.generic("POST", "/api/pages", b'{"title": "x", "tags": [[[[["a"]]]]]}', content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "Malformed JSON: nested more than 4 levels"
    assert Page.objects.filter(title="x").count() == 0


def test_a_body_over_the_size_limit_is_a_413_json(raw, settings):
    c, _ = raw
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = c.generic("POST", "/api/pages", b'{"title": "x", "content": "' + b"y" * 1000 + b'"}',
                  content_type="application/json")
    assert r.status_code == 413 and "too large" in r.json()["message"]
    assert not Page.objects.filter(title="x").exists()
