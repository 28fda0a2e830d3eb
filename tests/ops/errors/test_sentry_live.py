"""Envelopes reach a local stand-in for Sentry from a live server and a real Celery worker."""
import json
import uuid

import pytest

from tests.support.celery import CeleryWorker
from tests.support.live import base_env
from tests.support.wait import wait_until

from tests.support.fake_sentry import FakeSentry
from .support import call, register

CANARY = f"canary-{uuid.uuid4().hex}"


@pytest.fixture
def sentry():
    with FakeSentry() as fake:
        yield fake


def _event_with(events, text):
    for event in events:
        values = (event.get("exception") or {}).get("values") or []
        if any(text in (v.get("value") or "") for v in values):
            return event
    return None


def test_view_and_task_failures_reach_sentry_with_context_and_no_secret(papyrus_server, sentry, tmp_path):
    queue = f"ops-errors-{uuid.uuid4().hex[:8]}"
    env = {"DJANGO_SETTINGS_MODULE": "tests.ops.errors.live_settings", "SENTRY_DSN": sentry.dsn,
           "SENTRY_ENVIRONMENT": "ci", "SENTRY_RELEASE": "papyrus@test-1", "SENTRY_TRACES_SAMPLE_RATE": "1.0",
           "LOG_DIR": str(tmp_path / "logs"), "LOG_LEVEL": "debug"}
    server = papyrus_server(workers=1, env=env, log=tmp_path / "server.out")
    worker = CeleryWorker(env=base_env(**env), log=tmp_path / "worker.out", queue=queue, include="tests.ops.errors.tasks",
                          name="ops").start(wait=False)
    try:
        email = f"sam-{uuid.uuid4().hex[:6]}@example.com"
        cookie, cookies, user = register(server.url, email)
        signed_in = {"Cookie": f"{cookie}; prefs={CANARY}"}

        status, head, _ = call(server.url + "/test/boom", method="POST",
                               body={"password": CANARY, "items": [{"token": CANARY}]},
                               headers={**signed_in, "X-Request-ID": "req-view-1"})
        assert status == 500 and head["X-Request-ID"] == "req-view-1"
        status, _, _ = call(server.url + "/test/boom-plain",
                            headers={"Authorization": f"Bearer {CANARY}", "X-Request-ID": "req-plain-1"})
        assert status == 500
        status, _, _ = call(server.url + "/test/enqueue", method="POST", body={"token": CANARY, "queue": queue},
                            headers={**signed_in, "X-Request-ID": "req-task-1"})
        assert status == 202

        def failures():
            events = sentry.items("event")
            found = [_event_with(events, t) for t in ("api view failed", "plain view failed", "task failed")]
            return found if all(found) else None

        view, plain, task = wait_until(failures, timeout=60, what="three error events at the fake Sentry")
        transactions = wait_until(lambda: {t.get("transaction") for t in sentry.items("transaction")} >= {
            "/test/boom", "tests.ops.errors.fail"} and sentry.items("transaction"), timeout=30,
            what="transactions of the view and the task")
    finally:
        worker.stop()
        server.stop()  # both processes have written every buffered log line

    expected_user = {"id": str(user["id"]), "email": email}
    for event, request_id, transaction in ((view, "req-view-1", "/test/boom"),
                                           (task, "req-task-1", "tests.ops.errors.fail")):
        assert event["release"] == "papyrus@test-1"
        assert event["environment"] == "ci"
        assert event["user"] == expected_user
        assert event["tags"]["request_id"] == request_id
        assert event["transaction"] == transaction
    assert plain["tags"]["request_id"] == "req-plain-1" and "user" not in plain
    # The request travels with a view's error: method, route, URL, headers and body, masked.
    request = view["request"]
    assert request["method"] == "POST" and request["url"] == server.url + "/test/boom"
    assert view["tags"]["route"] == "/test/boom"
    assert request["headers"]["X-Request-Id"] == "req-view-1" and request["headers"]["Cookie"] == "[REDACTED]"
    assert request["data"] == {"password": "[REDACTED]", "items": [{"token": "[REDACTED]"}]}
    assert plain["request"]["headers"]["Authorization"] == "[REDACTED]"
    assert plain["request"]["method"] == "GET" and plain["transaction"] == "/test/boom-plain"
    assert {t["transaction"] for t in transactions} >= {"/test/boom", "tests.ops.errors.fail"}

    # No canary (nor the real access token) in any envelope or any log file.
    secrets = [CANARY.encode(), cookies["accessToken"].encode(), cookies["refreshToken"].encode()]
    envelopes = sentry.all_bytes()
    log_files = [p for p in (tmp_path / "logs").iterdir() if p.is_file()]
    logs = b"".join(p.read_bytes() for p in log_files)
    for secret in secrets:
        assert secret not in envelopes
        assert secret not in logs
    # The masked traces are there: the test would notice if nothing had been logged or sent.
    assert b"login failed password=[REDACTED]" in logs and b"task running with token=[REDACTED]" in logs
    lines = [json.loads(line) for line in (tmp_path / "logs" / "combined.log").read_text().splitlines()]
    task_line = next(r for r in lines if r["message"] == "task running with token=[REDACTED]")
    # The request id and user followed the task into the worker's log line.
    assert task_line["requestId"] == "req-task-1" and task_line["userId"] == user["id"]
    http_line = next(r for r in lines if r["level"] == "http" and r.get("requestId") == "req-view-1")
    assert http_line["route"] == "/test/boom" and http_line["status"] == 500 and http_line["userId"] == user["id"]
    assert b"[REDACTED]" in envelopes


def test_traces_rate_zero_still_sends_errors_and_no_transactions(papyrus_server, sentry, tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "tests.ops.errors.live_settings", "SENTRY_DSN": sentry.dsn,
           "SENTRY_TRACES_SAMPLE_RATE": "0", "LOG_DIR": str(tmp_path / "logs")}
    server = papyrus_server(workers=1, env=env, log=tmp_path / "server.out")
    try:
        for _ in range(20):
            status, _, _ = call(server.url + "/health/live")
            assert status == 200
        status, _, _ = call(server.url + "/test/boom-plain", headers={"X-Request-ID": "req-rate0"})
        assert status == 500
        event = wait_until(lambda: _event_with(sentry.items("event"), "plain view failed"), timeout=30,
                           what="the error event with tracing off")
    finally:
        server.stop()  # the SDK flushes its queue on shutdown: a transaction would be there now
    assert event["tags"]["request_id"] == "req-rate0"
    assert sentry.items("transaction") == []
