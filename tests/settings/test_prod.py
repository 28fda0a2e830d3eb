"""settings.prod: `check --deploy` is clean with a production-like environment, and the
process refuses to start on a missing or weak JWT_SECRET."""
import os
import secrets
import subprocess
import sys

import pytest

from tests.support.live import ROOT


def prod_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("JWT_SECRET", "DJANGO_SECRET_KEY", "SENTRY_DSN")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "papyrus.example.com",
        "METRICS_TOKEN": secrets.token_urlsafe(24),
        "LOG_DIR": os.path.join(os.environ.get("PAPYRUS_TEST_TMP", "/tmp"), "prod-settings-logs"),
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_a_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=prod_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret", [
    None,                                                   # missing
    "",                                                     # empty
    "too-short-secret",                                     # < 32 bytes
    "dev-only-jwt-secret-change-me-in-production-0000",     # the dev default
])
def test_prod_refuses_to_start_on_a_weak_jwt_secret(secret):
    result = manage("check", env=prod_env(JWT_SECRET=secret))

    assert result.returncode != 0
    assert "JWT_SECRET" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_signs_up_by_invitation_unless_opened():
    probe = "from django.conf import settings; print(settings.REGISTRATION)"
    assert manage("shell", "-v", "0", "-c", probe, env=prod_env()).stdout.strip() == "invite"
    assert manage("shell", "-v", "0", "-c", probe, env=prod_env(REGISTRATION="open")).stdout.strip() == "open"
