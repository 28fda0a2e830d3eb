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


def auth_rule():
    return next(r for r in rules.active_rules() if r.name == "auth")


def attempt(ip, email, password="wrong-Pass1!", forwarded_for=None):
    """A sign-in from `ip` as nginx (the one trusted proxy, on 127.0.0.1) passes it on: it appends the
    address it saw to whatever X-Forwarded-For the client sent."""
    chain = ", ".join(filter(None, [forwarded_for, ip]))
    client = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain)
    return client.post("/api/auth/login", {"email": email, "password": password}, format="json")


@pytest.fixture
def behind_nginx():
    with override_settings(TRUSTED_PROXIES=1):
        yield


def test_a_login_flood_on_someones_email_never_locks_them_out_from_elsewhere(user, behind_nginx):
    attacker, victim = "203.0.113.7", "198.51.100.9"
    pair = auth_rule().limit_for("ip+body:email")
    codes = [attempt(attacker, user.email).status_code for _ in range(30)]
    assert codes == [401] * pair + [429] * (30 - pair)
    # Forged entries left of what nginx appended change nothing: the attacker's address is still limited.
    refused = attempt(attacker, user.email, PASSWORD, forwarded_for="10.1.2.3, " + victim)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1 and refused.json()["message"]
    # The person whose email it is signs in from their own address.
    assert attempt(victim, user.email, PASSWORD).status_code == 200
    assert attempt(victim, user.email, "wrong-Pass1!").status_code == 401


def test_one_address_trying_many_accounts_is_stopped(db, behind_nginx):
    per_address = auth_rule().limit_for("ip")
    codes = [attempt("203.0.113.8", f"u{i}@example.com").status_code for i in range(per_address + 1)]
    assert codes == [401] * per_address + [429]
    assert attempt("203.0.113.9", "u0@example.com").status_code == 401  # another address is not


def test_register_is_guarded_too(db):
    limit = auth_rule().limit_for("ip")
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
