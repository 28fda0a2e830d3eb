"""/health against its own PostgreSQL, Redis and Celery worker, which the test stops and restarts."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from scripts.services import Postgres, Redis, free_port
from tests.support.live import ROOT, base_env, manage
from tests.support.celery import CeleryWorker
from tests.support.wait import wait_until

from ..errors.support import call

BUDGET_MS = 2000 + 1000  # HEALTH_TIMEOUT plus scheduling slack
CACHE_SECONDS = 2.0  # HEALTH_CACHE_SECONDS default


class Stack:
    """A throw-away PostgreSQL + Redis, a Celery worker and a live server using only them."""

    def __init__(self, papyrus_server):
        base = Path(tempfile.mkdtemp(prefix="ops-health-", dir=os.environ.get("PAPYRUS_TEST_TMP")))
        os.chmod(base, 0o755)  # the postgres user must reach its data directory
        self.base = base
        self.pg = Postgres(base / "pg" / "data", free_port(), fast=True)
        self.redis = Redis(base / "redis", free_port(), persistent=False)
        self.pg.start()
        self.redis.start()
        self.env = base_env(DATABASE_URL=self.pg.url, REDIS_URL=self.redis.url, LOG_DIR=str(base / "logs"),
                            BACKUP_DIR=str(base / "backups"))
        self.worker = None
        self.start_worker()
        self.server = papyrus_server(workers=1, env=self.env, log=base / "server.out")

    def start_worker(self):
        self.worker = CeleryWorker(env=self.env, log=self.base / "worker.out", queue=f"ops-health-{uuid.uuid4().hex[:6]}",
                                   name="ops").start(wait=False)

    def health(self, path="/health"):
        status, _, body = call(self.server.url + path)
        return status, body

    def wait_healthy(self, what):
        wait_until(lambda: self.health()[0] == 200, timeout=90, what=what)

    def signal_redis(self, sig):
        os.kill(int(self.redis.pidfile.read_text()), sig)

    def signal_postgres(self, sig):
        os.kill(int((self.pg.datadir / "postmaster.pid").read_text().split()[0]), sig)

    def stop(self):
        self.worker.stop()
        self.redis.stop()
        self.pg.stop()


@pytest.fixture
def stack(papyrus_server):
    s = Stack(papyrus_server)
    yield s
    s.stop()


def health_within_cache_window(stack, path="/health", expect=503):
    """A process reuses its last result for HEALTH_CACHE_SECONDS (default 2 s): a change shows
    within that window plus the check's own timeout, never later."""
    deadline = time.monotonic() + CACHE_SECONDS + BUDGET_MS / 1000
    status, body = stack.health(path)
    while status != expect and time.monotonic() < deadline:
        time.sleep(0.2)
        status, body = stack.health(path)
    return status, body


def assert_degraded(stack, *failing):
    status, body = health_within_cache_window(stack)
    assert status == 503, body
    assert body["status"] == "degraded" and set(body["failing"]) >= set(failing)
    for name in failing:
        assert body["checks"][name]["status"] == "down"
        assert body["checks"][name]["ms"] <= BUDGET_MS
    assert stack.health("/health/live")[0] == 200
    return body


def test_health_follows_its_dependencies_down_and_back(stack):
    stack.wait_healthy("the first healthy answer")
    status, body = stack.health()
    assert body["status"] == "healthy" and body["version"] and "revision" in body and body["uptimeSeconds"] >= 0
    assert set(body["checks"]) == {"database", "redis", "celery", "storage", "backups"}
    assert all(c["status"] == "up" and isinstance(c["ms"], float) for c in body["checks"].values())
    probe = manage("health", env=stack.env, check=False)
    assert probe.returncode == 0 and json.loads(probe.stdout)["status"] == "healthy"

    # PostgreSQL stopped, then hung (SIGSTOP: connections are accepted but never answered).
    stack.pg.stop()
    body = assert_degraded(stack, "database")
    assert body["checks"]["redis"]["status"] == "up" and body["checks"]["celery"]["status"] == "up"
    assert health_within_cache_window(stack, "/health/ready")[0] == 503
    stack.pg.start()
    stack.wait_healthy("recovery after PostgreSQL came back")
    stack.signal_postgres(signal.SIGSTOP)
    try:
        assert_degraded(stack, "database")
    finally:
        stack.signal_postgres(signal.SIGCONT)
    stack.wait_healthy("recovery after PostgreSQL resumed")

    # Redis hung, then stopped: the broker is gone too, so celery fails with it.
    stack.signal_redis(signal.SIGSTOP)
    try:
        assert_degraded(stack, "redis")
    finally:
        stack.signal_redis(signal.SIGCONT)
    stack.wait_healthy("recovery after Redis resumed")
    stack.redis.stop()
    body = assert_degraded(stack, "redis", "celery")
    assert body["checks"]["database"]["status"] == "up"
    stack.redis.start()
    stack.wait_healthy("recovery after Redis came back (the worker reconnects by itself)")

    # No worker: only celery fails; the container probe command agrees.
    stack.worker.stop()
    body = assert_degraded(stack, "celery")
    assert body["failing"] == ["celery"] and body["checks"]["celery"]["error"] == "no worker answered"
    assert stack.health("/health/ready")[0] == 200
    probe = manage("health", env=stack.env, check=False)
    assert probe.returncode == 1 and json.loads(probe.stdout)["failing"] == ["celery"]
    ready = manage("health", "--path", "/health/ready", env=stack.env, check=False)
    assert ready.returncode == 0
    stack.start_worker()
    stack.wait_healthy("recovery after a worker started")


def test_health_app_installs_without_papyrus():
    script = ("import sys, django; django.setup()\n"
              "from django.core.management import call_command\n"
              "call_command('check')\n"
              "try:\n    call_command('health', '--path', '/health/ready')\n"
              "except SystemExit as exit:\n    sys.exit(exit.code)\n"
              "assert not [m for m in sys.modules if m.split('.')[0] in ('papyrus', 'backups_app')]\n")
    env = base_env(DJANGO_SETTINGS_MODULE="tests.ops.health.settings")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    body = json.loads(done.stdout.splitlines()[-1])
    assert body["status"] == "healthy" and set(body["checks"]) == {"database", "redis"}
