"""Fixtures for the checklist tests: a production-like environment, a bucket in moto (tests/conftest.py),
a local Sentry endpoint that records envelopes, and `ops_check` run as a real process."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.support.celery import CeleryWorker
from tests.support.fake_sentry import FakeSentry
from tests.support.http import request
from tests.support.live import ROOT, free_port
from tests.support.wait import wait_until

BIN = Path(sys.executable).parent


def prod_env(tmp_path: Path, **overrides: str) -> dict:
    """settings.prod with strong secrets, against the throw-away cluster's main database and Redis."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "papyrus.example.com,127.0.0.1",
        "METRICS_TOKEN": secrets.token_urlsafe(24),
        "SENTRY_DSN": f"http://{uuid.uuid4().hex}@127.0.0.1:{free_port()}/42",
        "LOG_DIR": str(tmp_path / "logs"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_SCHEDULE": "0 2 * * *",
        "BACKUP_S3_BUCKET": "",
    })
    env["STATIC_ROOT"] = collected_static(env)
    env.update(overrides)
    return env


_static_root: list[str] = []


def collected_static(env: dict) -> str:
    """A STATIC_ROOT that `collectstatic` filled under settings.prod: once per test session (~4 s), shared."""
    if not _static_root:
        root = tempfile.mkdtemp(prefix="static-", dir=os.environ.get("PAPYRUS_TEST_TMP"))
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                       env={**env, "STATIC_ROOT": root}, check=True, capture_output=True, timeout=300)
        _static_root.append(root)
    return _static_root[0]


def ops_check(*args: str, env: dict) -> subprocess.CompletedProcess:
    """`manage.py ops_check ARGS` as the operator runs it."""
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "ops_check", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def lines_by_item(stdout: str) -> dict[str, str]:
    """{item: "ok"|"FAIL"} from ops_check's text output."""
    found = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "FAIL") and rest.strip():
            found[rest.split()[0]] = status
    return found


@pytest.fixture
def s3_env(moto_s3):
    """AWS_* variables for moto and a fresh, existing bucket."""
    import boto3

    bucket = f"papyrus-backups-{uuid.uuid4().hex[:8]}"
    env = {"AWS_S3_ENDPOINT_URL": moto_s3, "AWS_ACCESS_KEY_ID": "AKIAOPSCHECKTEST", "AWS_REGION": "us-east-1",
           "AWS_SECRET_ACCESS_KEY": "ops-check-" + secrets.token_hex(12), "BACKUP_S3_BUCKET": bucket}
    boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1", aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                 aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"]).create_bucket(Bucket=bucket)
    return env


@pytest.fixture
def sentry_recorder():
    with FakeSentry() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def checklist_celery_worker(tmp_path_factory):
    """One real Celery worker for the module (settings.test, the throw-away Redis as broker), so
    /health's celery check passes. (Renamed: `celery_worker_process` is the suite's factory.)"""
    logs = tmp_path_factory.mktemp("worker-logs")
    worker = CeleryWorker(env={"LOG_DIR": str(logs)}, log=logs / "worker.out", name="opscheck",
                          loglevel="WARNING").start()
    yield worker
    worker.stop()


def wait_healthy(url: str, timeout: float = 30.0) -> dict:
    """Poll GET url/health until it answers 200 (the worker needs a moment to join)."""
    def healthy():
        reply = request("GET", url + "/health", timeout=5)
        return reply.status == 200 and reply.json()

    return wait_until(healthy, f"{url}/health to be healthy", timeout=timeout, interval=0.3, ignore=(OSError,))
