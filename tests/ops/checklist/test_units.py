"""The checklist's small parts: masking, the secret rule, the items' settings, the runner's lines."""
import secrets

import pytest
from django.test import override_settings

from ops.checklist import conf
from ops.checklist.base import load_checks, run_checklist
from ops.checklist.masking import mask_dsn, mask_url, scrub
from ops.checklist.predeploy import SecretStrong
from ops.health.base import CheckFailed, HealthCheck


@pytest.mark.parametrize("url, masked", [
    ("postgres://papyrus:hunter2pass@db:5432/papyrus", "postgres://papyrus:***@db:5432/papyrus"),
    ("redis://:s3cret-redis@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("cannot reach https://user:tok3n@h/x and postgres://a:b@c/d",
     "cannot reach https://user:***@h/x and postgres://a:***@c/d"),
])
def test_mask_url_hides_passwords(url, masked):
    assert mask_url(url) == masked


def test_mask_dsn_shortens_the_key_and_drops_the_secret():
    masked = mask_dsn("https://0123456789abcdef:legacysecret@o1.ingest.sentry.io/42")

    assert masked == "https://0123…@o1.ingest.sentry.io/42"
    assert "legacysecret" not in masked and "0123456789abcdef" not in masked


def test_scrub_replaces_configured_secret_values():
    assert scrub("key=abcdefgh1234 and more", ["abcdefgh1234"]) == "key=*** and more"


# --- a signing secret named by the project (OPS_CHECKLIST_PRE_DEPLOY lists it with its setting) ---

def test_the_secret_item_reads_and_names_the_setting_it_is_given():
    item = load_checks([("ops.checklist.predeploy.SecretStrong", {"setting": "TOKEN_KEY", "name": "jwt_secret"})])[0]

    with override_settings(TOKEN_KEY="short"):
        with pytest.raises(CheckFailed, match="^TOKEN_KEY is 5 bytes"):
            item.run()
    with override_settings(TOKEN_KEY=secrets.token_urlsafe(40)):
        assert item.name == "jwt_secret" and item.run().endswith("distinct characters")


@pytest.mark.parametrize("secret, why", [
    ("", "is not set"),
    ("your-super-secret-jwt-key-change-this-in-production", "known default"),
    ("dev-only-jwt-secret-change-me-in-production-0000", "known default"),
    ("ab" * 40, "distinct characters"),
])
def test_weak_secrets_are_refused(secret, why):
    with override_settings(TOKEN_KEY=secret), pytest.raises(CheckFailed, match=why):
        SecretStrong(setting="TOKEN_KEY").run()


def test_more_weak_secrets_can_be_configured():
    known = "not-a-known-default-" + "x1y2z3w4v5u6" * 2
    with override_settings(TOKEN_KEY=known, OPS_CHECKLIST_WEAK_SECRETS=[known.upper()]):
        with pytest.raises(CheckFailed, match="known default"):
            SecretStrong(setting="TOKEN_KEY").run()
    with override_settings(TOKEN_KEY=known):
        assert SecretStrong(setting="TOKEN_KEY").run()


def test_listed_secret_settings_are_scrubbed_from_output():
    secret = "s3cret-" + "q" * 30
    with override_settings(OPS_CHECKLIST_SECRET_SETTINGS=["VAULT_KEY"], VAULT_KEY=secret):
        assert secret in conf.secret_values()
    with override_settings(OPS_CHECKLIST_SECRET_SETTINGS=[], VAULT_KEY=secret):
        assert secret not in conf.secret_values()


class Leaky(HealthCheck):
    name = "leaky"

    def run(self):
        raise RuntimeError(f"cannot log in with {settings_secret()}")


class Hung(HealthCheck):
    name = "hung"

    def run(self):
        import time

        time.sleep(3)


def settings_secret():
    from django.conf import settings

    return settings.VAULT_KEY


def test_lines_name_the_failure_without_the_secret_and_a_hung_item_fails_at_the_timeout():
    secret = "s3cret-" + "q" * 30
    with override_settings(OPS_CHECKLIST_SECRET_SETTINGS=["VAULT_KEY"], VAULT_KEY=secret):
        leaky, hung = run_checklist([Leaky(), Hung()], timeout=0.5)

    assert leaky.line() == "FAIL leaky  RuntimeError: cannot log in with ***"
    assert hung.line() == "FAIL hung  no answer within 0.5s"
