"""RateLimitMiddleware on a tiny URLconf, counting in the real (test) Redis."""
import logging
import uuid

import pytest
from django.conf import settings
from django.test import Client, override_settings
from prometheus_client import REGISTRY

from ops.ratelimit import rules
from tests.support.live import free_port

RULES = {
    "auth": {"limit": 3, "period": 3600, "limits": {"ip": 3}},
    "search": {"limit": 2, "period": 3600},
    "writes": {"limit": 2, "period": 3600},
    "reads": {"limit": 4, "period": 3600},
}


@pytest.fixture(autouse=True)
def limited():
    """Rate limiting on, small limits, and counters under a fresh key prefix (no test sees another's)."""
    isolated = {**settings.CACHES["default"], "KEY_PREFIX": f"rl-test-{uuid.uuid4().hex}"}
    with override_settings(ROOT_URLCONF="tests.ops.ratelimit.urls", RATE_LIMIT_ENABLED=True, RATELIMIT_RULES=RULES,
                           CACHES={**settings.CACHES, "rl": isolated}, RATELIMIT_CACHE_ALIAS="rl",
                           TRUSTED_PROXIES=0):
        yield
    rules.forget()


def get(client, path="/api/things", **extra):
    return client.get(path, **extra)


def test_every_limited_response_carries_the_ratelimit_headers():
    client = Client()
    responses = [get(client) for _ in range(4)]
    assert [r.status_code for r in responses] == [200] * 4
    assert [r["RateLimit-Remaining"] for r in responses] == ["3", "2", "1", "0"]
    assert all(r["RateLimit-Limit"] == "4" for r in responses)
    assert all(int(r["RateLimit-Reset"]) > 0 for r in responses)
    assert responses[0]["RateLimit-Policy"] == "4;w=3600"


def test_over_the_limit_is_a_429_with_retry_after_and_a_json_message():
    client = Client()
    for _ in range(4):
        get(client)
    refused = get(client)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert "Too many requests" in refused.json()["message"]
    assert 1 <= int(refused["Retry-After"]) <= 900
    assert refused["RateLimit-Remaining"] == "0"
    assert refused["RateLimit-Limit"] == "4"


def test_classes_have_their_own_limits():
    client = Client()
    assert [client.get("/api/search").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.post("/api/things").status_code for _ in range(3)] == [201, 201, 429]
    assert get(client).status_code == 200  # reads still have budget


def test_disabled_means_no_limit_and_no_headers():
    client = Client()
    with override_settings(RATE_LIMIT_ENABLED=False):
        responses = [get(client) for _ in range(10)]
    assert {r.status_code for r in responses} == {200}
    assert not responses[0].has_header("RateLimit-Limit")


def test_exempt_paths_are_not_limited():
    client = Client()
    responses = [client.get("/health") for _ in range(10)]
    assert {r.status_code for r in responses} == {200}
    assert not responses[0].has_header("RateLimit-Limit")


def test_rules_are_settings_that_can_be_overridden():
    client = Client()
    with override_settings(RATELIMIT_RULES={**RULES, "reads": {"limit": 1, "period": 60}}):
        assert [get(client).status_code for _ in range(2)] == [200, 429]


def test_each_ip_has_its_own_budget():
    for _ in range(4):
        get(Client(REMOTE_ADDR="10.0.0.1"))
    assert get(Client(REMOTE_ADDR="10.0.0.1")).status_code == 429
    assert get(Client(REMOTE_ADDR="10.0.0.2")).status_code == 200


def test_signed_in_users_are_counted_by_id_not_by_ip(django_user_model, db):
    alice = django_user_model.objects.create_user(email="a@example.com", name="A", password="x-1234567!")
    signed_in = Client(REMOTE_ADDR="10.0.0.9")
    signed_in.force_login(alice)
    for _ in range(4):
        get(signed_in)
    assert get(signed_in).status_code == 429
    assert get(Client(REMOTE_ADDR="10.0.0.9")).status_code == 200  # the anonymous bucket of that IP


def test_a_request_without_a_session_key_leaves_the_lazy_user_unloaded(django_user_model, db, rf):
    # Loading request.user costs every anonymous request a session and auth-backend lookup; without
    # a session key there can be no session user, so the limiter must not load it (it falls back to
    # the IP). With a key, it loads it and counts the user.
    from importlib import import_module

    from django.contrib.auth import login
    from django.contrib.auth.middleware import get_user
    from django.utils.functional import SimpleLazyObject

    from ops.ratelimit.identity import session_user

    store = import_module(settings.SESSION_ENGINE).SessionStore
    loads = []

    def lazy(request):
        return SimpleLazyObject(lambda: loads.append(1) or get_user(request))

    anonymous = rf.get("/")
    anonymous.session = store()
    anonymous.user = lazy(anonymous)
    assert session_user(anonymous) is None and loads == []

    alice = django_user_model.objects.create_user(email="lazy@example.com", name="L", password="x-1234567!")
    signed_in = rf.get("/")
    signed_in.session = store()
    login(signed_in, alice)  # stores the session: it now has a key
    signed_in.user = lazy(signed_in)
    assert session_user(signed_in).pk == alice.pk and loads == [1]


def test_forwarded_for_is_ignored_unless_proxies_are_trusted():
    for i in range(5):
        last = get(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.1.0.{i}"))
    assert last.status_code == 429  # spoofed addresses all count as the proxy's


def test_with_a_trusted_proxy_the_client_is_the_address_it_forwarded():
    with override_settings(TRUSTED_PROXIES=1):
        for _ in range(4):
            get(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.0.1"))
        assert get(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.2.0.1")).status_code == 429
        # A client cannot escape by prepending addresses: only the proxy's entry counts.
        assert get(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="7.7.7.7, 10.2.0.1")).status_code == 429
        assert get(Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.2.0.2")).status_code == 200


def login(ip, email):
    return Client(REMOTE_ADDR=ip).post("/api/auth/login", {"email": email, "password": "guess"},
                                       content_type="application/json")


def test_auth_is_limited_per_address_and_email_never_per_email_alone():
    codes = [login("10.3.0.1", "Victim@Example.com ").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    # Another address, the same email (normalised): its own budget — a flood cannot lock the person out.
    assert login("10.3.0.2", "victim@example.com").status_code == 201


def test_auth_is_limited_per_ip_across_emails():
    codes = [login("10.4.0.1", f"user{i}@example.com").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]


def test_a_dead_store_fails_open_with_a_warning_and_a_metric(caplog):
    dead = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    before = REGISTRY.get_sample_value("papyrus_ratelimit_fail_open_total", {"rule": "reads"}) or 0
    with override_settings(CACHES={**settings.CACHES, "rl": dead}, OPS_CACHE_ERROR_LOG_INTERVAL=0), \
            caplog.at_level(logging.WARNING, logger="ops.ratelimit"):
        responses = [get(Client()) for _ in range(6)]
    assert {r.status_code for r in responses} == {200}
    assert not responses[0].has_header("RateLimit-Limit")
    after = REGISTRY.get_sample_value("papyrus_ratelimit_fail_open_total", {"rule": "reads"})
    assert after - before == 6
    assert any("failing open" in r.getMessage() for r in caplog.records)


def test_a_deeply_nested_login_body_is_counted_by_ip_not_a_500():
    """json.loads recurses once per level: a 30,000-deep body (under the 64 kB parsed for keys) raised RecursionError (a 500)."""
    body = '{"email": "deep@example.com", "x": ' + "[" * 30_000 + "]" * 30_000 + "}"
    client = Client(REMOTE_ADDR="10.6.0.1")
    codes = [client.post("/api/auth/login", body, content_type="application/json").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]  # the per-IP budget still applies
