"""One contract for rate-limit backends: LocMem, and Redis on a single server, Sentinel and Cluster."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.test import override_settings

from ops.ratelimit.backends.locmem import LocMemBackend
from ops.ratelimit.backends.redis import RedisBackend
from tests.support.redis_fixtures import TOPOLOGIES, topology_cache
from tests.support.redis_topologies import wait_until


@pytest.fixture(params=["locmem", *TOPOLOGIES])
def backend(request):
    if request.param == "locmem":
        yield LocMemBackend()
        return
    with override_settings(CACHES={**settings.CACHES, "contract": topology_cache(request.param, request)}):
        yield RedisBackend(alias="contract")


def key() -> str:
    return f"contract:{uuid.uuid4().hex}"


def test_allows_the_limit_then_refuses(backend):
    k = key()
    decisions = [backend.hit(k, limit=5, period=3600) for _ in range(7)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0, 0]
    assert all(d.limit == 5 for d in decisions)


def test_a_refusal_says_when_to_come_back(backend):
    k = key()
    for _ in range(2):
        backend.hit(k, limit=2, period=3600)
    refused = backend.hit(k, limit=2, period=3600)
    assert not refused.allowed
    # One request frees up every period/limit = 1800 s; the whole budget after 3600 s.
    assert 1790 <= refused.retry_after <= 1800
    assert 3590 <= refused.reset <= 3600
    assert refused.retry_after_seconds >= 1


def test_keys_have_separate_budgets(backend):
    a, b = key(), key()
    backend.hit(a, limit=1, period=3600)
    assert not backend.hit(a, limit=1, period=3600).allowed
    assert backend.hit(b, limit=1, period=3600).allowed


def test_budget_comes_back_after_the_period(backend):
    k = key()
    assert backend.hit(k, limit=2, period=1).allowed
    assert backend.hit(k, limit=2, period=1).allowed
    assert not backend.hit(k, limit=2, period=1).allowed
    wait_until(lambda: backend.hit(k, limit=2, period=1).allowed, "the budget to refill", timeout=10)


def test_reset_forgets_a_key(backend):
    k = key()
    backend.hit(k, limit=1, period=3600)
    backend.reset(k)
    assert backend.hit(k, limit=1, period=3600).allowed


def test_counts_are_exact_under_concurrency(backend):
    """50 requests at once against a limit of 20: exactly 20 pass."""
    k, start = key(), threading.Barrier(50)

    def one(_):
        start.wait()
        return backend.hit(k, limit=20, period=3600).allowed

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert results.count(True) == 20
    assert results.count(False) == 30


def test_a_limit_too_high_to_matter_still_counts(backend):
    """At epoch-millisecond scale a tiny interval vanishes in float arithmetic; it must not break."""
    k = key()
    decisions = [backend.hit(k, limit=10**9, period=60) for _ in range(3)]
    assert all(d.allowed for d in decisions)
    assert decisions[-1].remaining >= 10**9 - 3
