"""Errors are JSON everywhere the API is, whatever raised them (issue 19 item 9)."""
import pytest
from django.test import Client, override_settings

API_ERRORS = [
    ("GET", "/api/pages/not-a-number", 404),
    ("GET", "/api/nope", 404),
    ("GET", "/api/pages/", 404),
    ("GET", "/api", 404),
    ("DELETE", "/api/pages", 405),
    ("PATCH", "/api/search", 405),
    ("POST", "/health", 405),          # a plain Django View: its 405 had an empty text/html body
    ("DELETE", "/health/ready", 405),
    ("PUT", "/metrics", 405),
    ("GET", "/api/pages?format=x", 404),
    ("GET", "/api/pages?format=api", 404),
    ("GET", "/api/schema/?format=x", 404),  # the schema view's own renderer answered YAML
    ("GET", "/api/auth/me", 401),
    ("POST", "/api/test-boom", 500),   # an exception outside DRF
]


def assert_json_message(r, code):
    assert r.status_code == code, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), (r["Content-Type"], r.content[:300])
    message = r.json()["message"]
    assert isinstance(message, str) and message and "ErrorDetail" not in message and "{" not in message


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("method, path, code", API_ERRORS)
@override_settings(ROOT_URLCONF="tests.papyrus.core.errors_urls")
def test_api_errors_are_json(db, settings, debug, method, path, code):
    settings.DEBUG = debug
    r = Client(raise_request_exception=False).generic(method, path)
    assert_json_message(r, code)
    if code == 405:
        assert r["Allow"]


@override_settings(ROOT_URLCONF="tests.papyrus.core.errors_urls", DEBUG=True)
def test_a_debug_500_under_the_api_shows_no_request_data(db):
    r = Client(raise_request_exception=False).post("/api/test-boom", {"password": "hunter2-secret"})
    assert_json_message(r, 500)
    assert b"hunter2" not in r.content and b"Traceback" not in r.content


@pytest.mark.parametrize("header", ["Bearer abc.def.ghi", "Bearer " + "x" * 40])
def test_401_for_a_bad_token_is_a_sentence_not_a_repr(db, header):
    r = Client().get("/api/auth/me", HTTP_AUTHORIZATION=header)
    assert_json_message(r, 401)
    assert r.json()["message"] == "Given token not valid for any token type"


@override_settings(ROOT_URLCONF="tests.papyrus.core.errors_urls")
def test_other_paths_get_djangos_own_error_views(db):
    """Browser paths are left to django.views.defaults (and the site's 404.html/500.html)."""
    c = Client(raise_request_exception=False)
    r = c.get("/no-such-page")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")
    r = c.get("/test-boom")
    assert r.status_code == 500 and r["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF="tests.papyrus.core.errors_urls", DEBUG=True)
def test_debug_404_under_the_api_lists_no_urls(db):
    r = Client().get("/api/nope")
    assert_json_message(r, 404)
    assert b"URLconf" not in r.content and b"admin/" not in r.content


def test_only_api_paths_count_as_api(rf):
    from papyrus.core.errors import wants_json

    assert wants_json(rf.get("/api")) and wants_json(rf.get("/api/x")) and wants_json(rf.get("/health/ready"))
    assert not wants_json(rf.get("/apiary")) and not wants_json(rf.get("/admin/"))
