"""Papyrus' rate-limit wiring: brute-force guard on sign-in, JWT users counted by id."""
import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from ops.ratelimit import rules
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def limited():
    isolated = {**settings.CACHES["default"], "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}"}
    with override_settings(RATE_LIMIT_ENABLED=True, CACHES={**settings.CACHES, "rl": isolated},
                           RATELIMIT_CACHE_ALIAS="rl"):
        yield
    rules.forget()


def auth_limit() -> int:
    return next(r.limit for r in rules.active_rules() if r.name == "auth")


def attempt(ip, email, password="wrong-Pass1!"):
    return APIClient(REMOTE_ADDR=ip).post("/api/auth/login", {"email": email, "password": password}, format="json")


def test_password_guessing_on_one_account_is_stopped_across_ips(user):
    limit = auth_limit()
    codes = [attempt(f"10.9.0.{i}", user.email).status_code for i in range(limit + 1)]
    assert codes == [401] * limit + [429]
    # Even the right password waits: the account is being attacked.
    refused = attempt("10.9.1.1", user.email, PASSWORD)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["message"]


def test_one_ip_trying_many_accounts_is_stopped(db):
    limit = auth_limit()
    codes = [attempt("10.9.2.1", f"u{i}@example.com").status_code for i in range(limit + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {401}


def test_register_is_guarded_too(db):
    limit = auth_limit()
    client = APIClient(REMOTE_ADDR="10.9.3.1")
    codes = [client.post("/api/auth/register", {"name": "N", "email": f"n{i}@example.com", "password": "short"},
                         format="json").status_code for i in range(limit + 1)]
    assert codes == [400] * limit + [429]


def test_jwt_users_behind_one_ip_have_their_own_budgets(login, user, other):
    with override_settings(RATELIMIT_RULES={"reads": {"limit": 3, "period": 3600}}):
        alice, bob = login(user), login(other)
        for c in (alice, bob):
            c.defaults["REMOTE_ADDR"] = "10.9.4.1"
        assert [alice.get("/api/pages").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert bob.get("/api/pages").status_code == 200
        assert APIClient(REMOTE_ADDR="10.9.4.1").get("/api/pages").status_code == 200  # anonymous: the IP's


def test_a_forged_token_counts_as_anonymous(db):
    with override_settings(RATELIMIT_RULES={"reads": {"limit": 2, "period": 3600}}):
        forged = APIClient(REMOTE_ADDR="10.9.5.1")
        forged.cookies["accessToken"] = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.forged"
        assert [forged.get("/api/pages").status_code for _ in range(2)] == [200, 200]
        assert APIClient(REMOTE_ADDR="10.9.5.1").get("/api/pages").status_code == 429
