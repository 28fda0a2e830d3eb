"""The Redis backend keeps what it derives from settings; a changed setting reaches it all the same."""
import uuid

import pytest
from django.conf import settings as django_settings

from ops.cache.client import make_key, redis_client
from ops.ratelimit import rules
from ops.ratelimit.backends import redis as redis_backend

LIMIT, PERIOD = 1000, 3600


@pytest.fixture(autouse=True)
def redis_trusted(monkeypatch):
    """Leases are in use: an earlier test's Redis outage (within SUSPECT_SECONDS) would turn them off."""
    monkeypatch.setattr(redis_backend, "_suspect_until", 0.0)


def tokens_taken(key: str) -> int:
    """How many tokens Redis has handed out for `key`: the bucket's TTL is one interval per token."""
    stored = make_key("default", key)
    client = redis_client("default")
    assert client.exists(stored)
    return round(client.pttl(stored) / (PERIOD * 1000 / LIMIT))


def test_a_changed_lease_size_is_used_by_the_next_request(settings):
    first, second = f"rl:test:{uuid.uuid4().hex}", f"rl:test:{uuid.uuid4().hex}"
    rules.backend().hit(first, limit=LIMIT, period=PERIOD)
    assert tokens_taken(first) == 20  # a lease: RATELIMIT_LEASE_MAX tokens in one call

    settings.RATELIMIT_LEASE_MAX = 1
    rules.backend().hit(second, limit=LIMIT, period=PERIOD)

    assert tokens_taken(second) == 1


def test_a_changed_cache_key_prefix_is_used_by_the_next_request(settings):
    key = f"rl:test:{uuid.uuid4().hex}"
    rules.backend().hit(key, limit=LIMIT, period=PERIOD)
    client = redis_client("default")
    before = set(client.scan_iter(match=f"*{key}"))

    settings.CACHES = {**django_settings.CACHES,
                       "default": {**django_settings.CACHES["default"], "KEY_PREFIX": "moved"}}
    rules.backend().hit(key, limit=LIMIT, period=PERIOD)

    after = set(client.scan_iter(match=f"*{key}")) - before
    assert [k.decode() for k in after] == [f"moved:1:{key}"]
