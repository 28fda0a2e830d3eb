"""Redis unavailable: CacheService and namespaces answer without it, and recover by themselves."""
import uuid

from django.conf import settings
from django.test import override_settings
from prometheus_client import REGISTRY

from ops.cache.namespace import VersionedNamespace
from ops.cache.service import JSONCache
from tests.support.live import free_port


def dead_cache():
    dead = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    return override_settings(CACHES={**settings.CACHES, "default": dead})


def errors(namespace):
    return REGISTRY.get_sample_value(f"{settings.PROMETHEUS_PREFIX}cache_errors_total", {"cache": namespace}) or 0


def test_cache_service_without_redis_misses_and_computes():
    cache, key = JSONCache(namespace="outage-test"), uuid.uuid4().hex
    before = errors("outage-test")
    with dead_cache():
        assert cache.set(key, 1, 60) is False
        assert cache.get(key, "default") == "default"
        assert cache.get_or_set(key, lambda: "computed", 60) == "computed"
        assert cache.delete(key) is False
    assert errors("outage-test") - before == 5  # set, get, get_or_set's get and set, delete
    assert cache.set(key, 2, 60) is True and cache.get(key) == 2  # back as soon as Redis answers


def test_a_write_during_an_outage_cannot_leave_old_entries_current():
    pages = VersionedNamespace(f"outage-{uuid.uuid4().hex}", ttl=60)
    data = {"v": 1}
    with override_settings(OPS_CACHE_RESPONSES=True):
        assert pages.get_or_set(["list"], lambda: dict(data)) == {"v": 1}
        with dead_cache():
            data["v"] = 2  # a write while Redis is down: its invalidation is lost
            assert pages.invalidate() is None
            assert pages.get_or_set(["list"], lambda: dict(data)) == {"v": 2}
        # Redis is back with the v1 entry still stored under the old generation.
        assert pages.get_or_set(["list"], lambda: dict(data)) == {"v": 2}
        assert pages.get_or_set(["list"], lambda: {"v": "not computed again"}) == {"v": 2}


def test_peek_many_after_an_outage_serves_nothing_stored_before_it():
    pages = VersionedNamespace(f"outage-{uuid.uuid4().hex}", ttl=60)
    entries = [(["page", 1], ["page:1"]), (["page", 2], ["page:2"])]
    with override_settings(OPS_CACHE_RESPONSES=True):
        _, store = pages.peek_many(entries)
        store({0: {"v": 1}, 1: {"v": 1}})
        with dead_cache():
            assert pages.invalidate("page:1") is None  # a write's invalidation is lost
            assert pages.peek_many(entries) == ([None, None], None)
        values, store = pages.peek_many(entries)  # Redis is back, the v1 entries still stored
        assert values == [None, None]
        store({0: {"v": 2}})
        assert pages.peek_many(entries)[0] == [{"v": 2}, None]
