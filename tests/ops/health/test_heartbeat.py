"""/health never holds a serving worker for a dependency (issue 19 item 12): Celery liveness is a
heartbeat read from Redis (no control ping), and a slow refresh is not waited for."""
import json
import threading
import time
import uuid

import pytest
from celery.app.control import Control
from django.test import override_settings

from ops.health import heartbeat
from ops.health.base import HealthCheck
from ops.health.probes import Celery, Redis
from ops.health.views import HealthView
from scripts.services import Redis as RedisServer
from scripts.services import free_port


@pytest.fixture(autouse=True)
def own_key(settings):
    settings.HEALTH_CELERY_HEARTBEAT_KEY = f"ops-health-test:{uuid.uuid4().hex}"
    yield
    Redis().client().delete(settings.HEALTH_CELERY_HEARTBEAT_KEY)


@pytest.fixture
def pings(monkeypatch):
    made = []
    monkeypatch.setattr(Control, "ping", lambda *a, **kw: made.append(a) or [])
    return made


def test_a_fresh_heartbeat_is_a_live_worker_a_stale_one_is_not(pings):
    client = Redis().client()
    assert Celery().result() == {"status": "down", "ms": pytest.approx(0, abs=2000), "error": "no worker answered"}
    heartbeat.beat(client, "celery@old", now=time.time() - 3600)
    assert Celery().result()["error"] == "no worker answered"
    heartbeat.beat(client, "celery@a")
    result = Celery().result()
    assert result["status"] == "up" and result["detail"].startswith("1 worker(s)")
    heartbeat.forget(client, "celery@a")  # a warm shutdown removes its entry at once
    assert Celery().result()["error"] == "no worker answered"
    assert not pings, "the check sent a control ping"


def test_a_stopped_redis_fails_the_check_without_a_ping(tmp_path, pings):
    server = RedisServer(tmp_path / "redis", free_port(), persistent=False)
    server.start()
    try:
        with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
                               REDIS_URL=server.url):
            heartbeat.beat(Redis().client(), "celery@a")
            assert Celery().result()["status"] == "up"
            server.stop()
            assert Celery().result()["error"] == "broker unavailable"
            server.start()
            heartbeat.beat(Redis().client(), "celery@a")
            assert Celery().result()["status"] == "up"
    finally:
        server.stop()
    assert not pings


class Gate(HealthCheck):
    """Answers at once until closed, then blocks until opened: a dependency that hangs."""

    name = "gate"
    timeout = 30
    opened = threading.Event()
    entered = threading.Event()
    runs = 0

    def run(self):
        Gate.runs += 1
        Gate.entered.set()
        assert Gate.opened.wait(30)
        return "open"


def test_a_request_with_a_previous_answer_does_not_wait_for_a_hung_refresh(rf):
    Gate.opened.set()
    view = HealthView.as_view(checks=[Gate()])
    with override_settings(HEALTH_CACHE_SECONDS=0, HEALTH_WAIT_SECONDS=0.2):
        first = view(rf.get("/health"))
        assert first.status_code == 200 and Gate.runs == 1
        Gate.opened.clear()
        Gate.entered.clear()
        answer = view(rf.get("/health"))  # the refresh hangs in the gate
        assert Gate.entered.is_set() and not Gate.opened.is_set(), "the check is still running"
        assert answer.status_code == 200 and json.loads(answer.content)["checks"]["gate"]["detail"] == "open"
        again = view(rf.get("/health"))  # the refresh in flight is not started twice
        assert again.status_code == 200 and Gate.runs == 2
        Gate.opened.set()
