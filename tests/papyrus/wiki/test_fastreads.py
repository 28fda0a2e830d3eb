"""Anonymous reads answered from cached bytes before Django's stack (papyrus.wiki.fastreads), in
process: the real WSGI application (settings.test), real PostgreSQL and Redis, called as a WSGI
server calls it. Django's own application is wrapped in a counter, so a test sees which answers
never reached it."""
import io
import json
import logging
import sys
import uuid

import pytest
import redis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from prometheus_client import REGISTRY

from ops.logging.levels import HTTP
from ops.ratelimit import rules
from papyrus.wiki import services
from papyrus.wiki.fastreads import FastReads

pytestmark = pytest.mark.usefixtures("caching")

READS = ["/api/pages", "/api/pages/{id}", "/api/search?q=zebra"]
PER_REQUEST = {"x-request-id"}


class Counted:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.app, self.calls = get_wsgi_application(), 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def django_app():
    return Counted()


@pytest.fixture
def app(django_app):
    return FastReads(django_app)


def call(app, path, environ=None, **headers):
    """(status, {lower-case header: value}, body) of one GET through `app` (`headers` as keywords)."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
               "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
               "wsgi.run_once": False, "wsgi.version": (1, 0), "CONTENT_TYPE": "application/json",
               **{"HTTP_" + k.upper(): v for k, v in headers.items()}, **(environ or {})}
    started = []
    # As Django's test client does: the test's transaction must outlive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        out = app(environ, lambda status, hs, exc_info=None: started.append((status, hs)))
        try:
            body = b"".join(out)
        finally:
            getattr(out, "close", lambda: None)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    status, hs = started[0]
    return int(status.split()[0]), {k.lower(): v for k, v in hs}, body


@pytest.fixture
def zebra(user, page_of, write):
    return write(page_of, user, "Zebra facts", content="zebra stripes")


@pytest.mark.parametrize("url", READS)
def test_a_repeated_anonymous_read_is_answered_without_django(app, django_app, zebra, url):
    url = url.format(id=zebra.id)
    first = call(app, url)
    assert first[0] == 200 and django_app.calls == 1
    second = call(app, url)
    assert django_app.calls == 1, "the second read reached Django"
    assert second[0] == 200 and second[2] == first[2]
    assert json.loads(second[2])  # the page, or a non-empty list

    def stable(headers):
        return {k: v for k, v in headers.items() if k not in PER_REQUEST}
    assert stable(second[1]) == stable(first[1])
    assert second[1]["etag"] == first[1]["etag"]


@pytest.mark.parametrize("url", READS)
def test_if_none_match_gets_304(app, zebra, url):
    url = url.format(id=zebra.id)
    etag = call(app, url)[1]["etag"]
    status, headers, body = call(app, url, if_none_match=etag)
    assert (status, body, headers["etag"]) == (304, b"", etag)
    assert call(app, url, if_none_match='"something-else"')[0] == 200


def test_the_page_etag_is_the_page_version_used_by_if_match(app, signed_in, zebra):
    etag = call(app, f"/api/pages/{zebra.id}")[1]["etag"]
    assert call(app, f"/api/pages/{zebra.id}")[1]["etag"] == etag  # the hit keeps it
    r = signed_in.patch(f"/api/pages/{zebra.id}", {"content": "new"}, format="json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200, r.content


@pytest.mark.parametrize("url", READS)
def test_a_write_is_visible_to_the_next_anonymous_read(app, django_app, user, zebra, write, url):
    url = url.format(id=zebra.id)
    _, headers, _ = call(app, url)
    call(app, url)
    calls = django_app.calls
    write(services.page_update, page=zebra, editor=user, title="Zebra stripes, revised")
    status, fresh_headers, body = call(app, url, if_none_match=headers["etag"])
    assert status == 200 and django_app.calls == calls + 1
    assert "Zebra stripes, revised" in body.decode()
    assert fresh_headers["etag"] != headers["etag"]


def test_a_deleted_page_is_not_served_from_bytes(app, user, zebra, write):
    assert call(app, f"/api/pages/{zebra.id}")[0] == 200
    write(services.page_delete, page=zebra)
    assert call(app, f"/api/pages/{zebra.id}")[0] == 404


def test_signed_in_callers_and_other_methods_reach_django(app, django_app, signed_in, zebra):
    cookies = "; ".join(f"{k}={v.value}" for k, v in signed_in.cookies.items())
    for _ in range(2):
        assert call(app, "/api/pages", cookie=cookies)[0] == 200
        assert call(app, "/api/pages", authorization="Bearer not-a-token")[0] == 401
    assert django_app.calls == 4
    assert "etag" not in call(app, "/api/pages", cookie=cookies)[1]  # bytes are for anonymous callers only


def test_a_team_page_is_refused_every_time(app, django_app, user, team_of, page_of, write):
    secret = write(page_of, user, "Secret", team=team_of(user))
    assert [call(app, f"/api/pages/{secret.id}")[0] for _ in range(2)] == [403, 403]
    assert django_app.calls == 2


def test_health_is_answered_by_its_view_before_the_stack(app, django_app):
    status, headers, body = call(app, "/health", x_request_id="health-probe-1")
    assert status in (200, 503) and json.loads(body)["status"] in ("healthy", "degraded")
    assert headers["x-request-id"] == "health-probe-1"
    assert "no-cache" in headers["cache-control"]
    assert django_app.calls == 0


def counted(route, status):
    return REGISTRY.get_sample_value(f"{settings.PROMETHEUS_PREFIX}http_requests_total",
                                     {"method": "GET", "route": route, "status": status}) or 0


def test_a_hit_keeps_the_operations_promises(app, django_app, zebra, caplog):
    url = f"/api/pages/{zebra.id}"
    etag = call(app, url)[1]["etag"]
    before = counted("/api/pages/{page_id}", "304"), counted("/api/pages/{page_id}", "200")
    with caplog.at_level(HTTP, logger="ops.http"):
        hit = call(app, url, x_request_id="read-abc-1")
        not_modified = call(app, url, if_none_match=etag, x_request_id="read-abc-2")
    assert django_app.calls == 1
    assert (hit[1]["x-request-id"], not_modified[1]["x-request-id"]) == ("read-abc-1", "read-abc-2")
    assert counted("/api/pages/{page_id}", "304") == before[0] + 1
    assert counted("/api/pages/{page_id}", "200") == before[1] + 1
    lines = [r for r in caplog.records if r.name == "ops.http" and r.levelno == HTTP]
    assert [(r.route, r.status, r.requestId) for r in lines] == [
        ("/api/pages/{page_id}", 200, "read-abc-1"), ("/api/pages/{page_id}", 304, "read-abc-2")]
    assert hit[1]["x-content-type-options"] == "nosniff" and hit[1]["x-frame-options"] == "DENY"


def test_a_hit_is_rate_limited_with_its_headers(app, django_app, zebra):
    isolated = {**settings.CACHES["default"], "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}"}
    rules.forget()
    try:
        with override_settings(RATE_LIMIT_ENABLED=True, CACHES={**settings.CACHES, "rl": isolated},
                               RATELIMIT_CACHE_ALIAS="rl", RATELIMIT_RULES={"reads": {"limit": 3, "period": 3600}}):
            answers = [call(app, "/api/pages", environ={"REMOTE_ADDR": "10.9.8.7"}) for _ in range(4)]
    finally:
        rules.forget()
    assert [a[0] for a in answers] == [200, 200, 200, 429]
    assert django_app.calls == 1  # the first filled the bytes; the limiter ran on the hits too
    assert [a[1]["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert int(answers[-1][1]["retry-after"]) >= 1 and json.loads(answers[-1][2])["message"]


def test_off_when_fast_reads_is_false(app, django_app, zebra):
    with override_settings(FAST_READS=False):
        call(app, "/api/pages")
        status, headers, _ = call(app, "/api/pages")
    assert status == 200 and django_app.calls == 2 and "etag" not in headers


def test_redis_down_falls_back_to_django(app, django_app, zebra, monkeypatch):
    def unavailable(*args, **kwargs):
        raise redis.ConnectionError("Redis is down")
    call(app, "/api/pages")
    monkeypatch.setattr(redis.Redis, "mget", unavailable)  # the outage: every lookup fails
    logging.getLogger("ops.cache").disabled = True  # its warning is expected here
    try:
        statuses = [call(app, "/api/pages")[0] for _ in range(2)]
    finally:
        logging.getLogger("ops.cache").disabled = False
    assert statuses == [200, 200] and django_app.calls == 3
