"""The lean Sentry path leans on sentry-sdk behaviour; these fail loudly if an upgrade changes it.

What it relies on (ops/errors/middleware.py, sentry.py):
- a sync thread keeps one isolation scope across requests, and `Scope.clear()` empties it;
- `custom_sampling_context` reaches `traces_sampler`, and a sampler's 1.0 samples;
- `auto_enabling_integrations=False` keeps the Django and Redis integrations out;
- `got_request_exception` + `event_from_exception(..., mechanism=...)` inside the request context.
"""
import re
import subprocess
import sys
from pathlib import Path

import sentry_sdk

from tests.support.fake_sentry import FakeSentry
from tests.support.live import ROOT, base_env

SCRIPT = """
import django, sentry_sdk
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
assert client.get("/noisy").status_code == 200
assert client.get("/items/7/boom", HTTP_AUTHORIZATION="Bearer lean-secret-1").status_code == 500
assert client.get("/query").status_code == 200
assert client.get("/health/live").status_code == 200
names = set(sentry_sdk.get_client().integrations)
print("INTEGRATIONS", ",".join(sorted(names)))
sentry_sdk.flush(5)
"""


def run(fake, **env):
    env = base_env(DJANGO_SETTINGS_MODULE="tests.ops.errors.lean_settings", SENTRY_DSN=fake.dsn, **env)
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.split("INTEGRATIONS ", 1)[1].split()[0].split(",")


def test_errors_carry_their_request_and_nothing_of_earlier_requests():
    with FakeSentry() as fake:
        integrations = run(fake, SENTRY_TRACES_SAMPLE_RATE="0")
        events, raw = fake.items("event"), fake.all_bytes()
    assert "django" not in integrations and "redis" not in integrations and "celery" in integrations
    [event] = [e for e in events if e.get("exception")]
    assert event["exception"]["values"][-1]["value"] == "lean boom"
    assert event["exception"]["values"][-1]["mechanism"] == {"type": "django", "handled": False}
    assert event["transaction"] == "/items/{item_id}/boom" and event["tags"]["route"] == "/items/{item_id}/boom"
    assert event["request"]["method"] == "GET" and event["request"]["url"].endswith("/items/7/boom")
    assert event["request"]["headers"]["Authorization"] == "[REDACTED]"
    # The earlier request's tag and breadcrumb stayed with it (the scope was cleared in between).
    assert "leaky" not in event.get("tags", {})
    assert "earlier request" not in str(event.get("breadcrumbs"))
    assert b"lean-secret-1" not in raw
    assert fake.items("transaction") == []


def test_only_drawn_requests_become_transactions_named_by_route_with_sql_spans():
    with FakeSentry() as fake:
        run(fake, SENTRY_TRACES_SAMPLE_RATE="1.0")
        transactions = {t["transaction"]: t for t in fake.items("transaction")}
    # /health is a probe (rate 0 in lean_settings); every other request was drawn at rate 1.
    assert set(transactions) == {"/noisy", "/items/{item_id}/boom", "/query"}
    query = transactions["/query"]
    assert query["transaction_info"]["source"] == "route"
    assert query["contexts"]["trace"]["op"] == "http.server"
    assert any(s["op"] == "db" and s["description"] == "SELECT 1" for s in query["spans"])
    assert transactions["/items/{item_id}/boom"]["contexts"]["trace"]["status"] == "internal_error"


def test_sentry_sdk_is_the_pinned_version():
    """The lean path was checked against this version; an upgrade must re-run this module first."""
    pinned = re.search(r"^sentry-sdk==([^\s\\]+)", (Path(ROOT) / "requirements.txt").read_text(), re.M).group(1)
    assert sentry_sdk.VERSION == pinned
