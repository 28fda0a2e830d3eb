"""Sentry off without a DSN; defaults for environment/release; masking before send; the helpers."""
import json
import subprocess
import sys

import sentry_sdk

from ops.errors import capture_exception, capture_message, conf
from ops.errors.checks import check_sentry_settings
from ops.errors.sentry import init_sentry, scrub_event
from tests.support.live import ROOT, base_env

from tests.support.fake_sentry import FakeSentry
from .support import call  # noqa: F401 - keeps the support module importable in isolation

CANARY = "canary-setup-51c2"


def test_without_a_dsn_nothing_starts_and_helpers_do_nothing(settings):
    settings.SENTRY_DSN = ""
    assert init_sentry() is False
    assert not sentry_sdk.get_client().is_active()
    assert capture_message("nothing to send") is None
    assert capture_exception(RuntimeError("nothing to send")) is None


def test_environment_defaults_to_the_settings_name_and_release_to_git_or_version(settings, monkeypatch):
    settings.SENTRY_ENVIRONMENT = ""
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "settings.prod")
    assert conf.environment() == "prod"
    settings.SENTRY_RELEASE = ""
    assert conf.release() in {conf.git_sha(), settings.VERSION} and conf.release()
    settings.SENTRY_RELEASE = "papyrus@1.2.3"
    assert conf.release() == "papyrus@1.2.3"


def test_scrub_event_masks_request_frames_and_breadcrumbs():
    event = {"request": {"headers": {"Authorization": f"Bearer {CANARY}", "X-Other": "ok"},
                         "data": {"items": [{"password": CANARY}]}, "cookies": {"s": CANARY}},
             "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"token": CANARY, "n": "1"}}]}}]},
             "breadcrumbs": {"values": [{"message": f"login password={CANARY}"}]}}
    assert CANARY not in json.dumps(scrub_event(event))


def test_system_check_refuses_a_malformed_dsn(settings):
    settings.SENTRY_DSN = "not a dsn"
    assert [e.id for e in check_sentry_settings()] == ["ops_errors.E001"]
    settings.SENTRY_DSN, settings.SENTRY_TRACES_SAMPLE_RATE = "", 3
    assert [e.id for e in check_sentry_settings()] == ["ops_errors.E002"]


def test_helpers_send_messages_at_their_level_and_exceptions_masked():
    script = (
        "import django; django.setup()\n"
        "import sentry_sdk\n"
        "from ops.errors import capture_exception, capture_message\n"
        f"capture_message('disk almost full api_key={CANARY}', level='warning', host='db1')\n"
        "try:\n"
        f"    raise ValueError('bad token={CANARY}')\n"
        "except ValueError as exc:\n"
        "    capture_exception(exc, job='nightly')\n"
        "sentry_sdk.flush(5)\n"
    )
    with FakeSentry() as fake:
        env = base_env(DJANGO_SETTINGS_MODULE="settings.test", SENTRY_DSN=fake.dsn, SENTRY_ENVIRONMENT="unit")
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
        events = fake.items("event")
        raw = fake.all_bytes()
    message = next(e for e in events if e.get("level") == "warning")
    assert message["message"] == "disk almost full api_key=[REDACTED]" and message["extra"]["host"] == "db1"
    error = next(e for e in events if e.get("exception"))
    assert error["exception"]["values"][0]["value"] == "bad token=[REDACTED]"
    assert error["extra"]["job"] == "nightly" and error["environment"] == "unit"
    assert CANARY.encode() not in raw


def test_errors_app_installs_without_papyrus():
    script = ("import sys, django; django.setup()\n"
              "import sentry_sdk\n"
              "from ops.errors import capture_message\n"
              "assert capture_message('standalone says hi', level='error')\n"
              "sentry_sdk.flush(5)\n"
              "assert not [m for m in sys.modules if m.split('.')[0] in ('papyrus', 'backups_app')]\n")
    with FakeSentry() as fake:
        env = base_env(DJANGO_SETTINGS_MODULE="tests.ops.errors.settings", SENTRY_DSN=fake.dsn, GIT_SHA="")
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        event = next(e for e in fake.items("event") if e.get("message") == "standalone says hi")
    assert event["environment"] == "settings" and event["release"]
