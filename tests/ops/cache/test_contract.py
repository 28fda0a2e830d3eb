"""One contract for ops.cache, run on a single Redis, on Sentinel and on a real 3-node Cluster."""
import json
import uuid

import pytest
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import caches
from django.test import override_settings

from ops.cache.namespace import VersionedNamespace
from ops.cache.service import JSONCache
from tests.support.redis_topologies import wait_until


def unique(name: str) -> str:
    return f"{name}:{uuid.uuid4().hex}"


def test_round_trip_keeps_json_values(redis_alias):
    cache, key = JSONCache(alias=redis_alias), unique("user")
    value = {"id": 123, "name": "Ada", "tags": ["a", "b"], "ratio": 0.5, "none": None}
    assert cache.set(key, value, 60) is True
    assert cache.get(key) == value
    raw = caches[redis_alias].client.get_client(write=True).get(caches[redis_alias].make_key(key))
    assert json.loads(raw) == value  # plain JSON text in Redis, readable by any client
    assert cache.delete(key) is True
    assert cache.get(key, "gone") == "gone"


def test_a_stored_null_is_a_hit_not_a_miss(redis_alias):
    cache, key = JSONCache(alias=redis_alias), unique("null")
    cache.set(key, None, 60)
    calls = []
    assert cache.get_or_set(key, lambda: calls.append(1) or "computed", 60) is None
    assert calls == []


def test_ttl_expires_entries(redis_alias):
    cache, key = JSONCache(alias=redis_alias), unique("short")
    cache.set(key, "soon gone", ttl=1)
    assert cache.get(key) == "soon gone"
    ttl_ms = caches[redis_alias].client.get_client(write=True).pttl(caches[redis_alias].make_key(key))
    assert 0 < ttl_ms <= 1000
    wait_until(lambda: cache.get(key, "expired") == "expired", "the entry to expire", timeout=10)


def test_get_or_set_computes_once_then_serves_the_stored_value(redis_alias):
    cache, key = JSONCache(alias=redis_alias), unique("computed")
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert cache.get_or_set(key, compute, 60) == {"n": 1}
    assert cache.get_or_set(key, compute, 60) == {"n": 1}
    assert calls == [1]


def test_namespace_invalidation_makes_every_entry_stale(redis_alias):
    with override_settings(OPS_CACHE_RESPONSES=True):
        pages = VersionedNamespace(unique("ns"), alias=redis_alias, ttl=60)
        version = {"v": 1}
        read = lambda key: pages.get_or_set([key], lambda: {"key": key, **version})  # noqa: E731
        assert read("list") == {"key": "list", "v": 1}
        version["v"] = 2
        assert read("list") == {"key": "list", "v": 1}  # served from the cache
        assert read("page:1") == {"key": "page:1", "v": 2}
        pages.invalidate()
        assert read("list") == {"key": "list", "v": 2}
        assert read("page:1") == {"key": "page:1", "v": 2}


def test_sessions_round_trip_through_the_cache(redis_alias):
    with override_settings(SESSION_CACHE_ALIAS=redis_alias):
        session = SessionStore()
        session["cart"] = [1, 2, 3]
        session.save()
        assert SessionStore(session_key=session.session_key)["cart"] == [1, 2, 3]
        session.delete()
        assert SessionStore(session_key=session.session_key).get("cart") is None


@pytest.mark.parametrize("redis_alias", ["cluster"], indirect=True)
def test_cluster_keys_really_spread_over_the_three_nodes(redis_alias, redis_cluster):
    cache = JSONCache(alias=redis_alias)
    keys = [unique("spread") for _ in range(60)]
    for key in keys:
        cache.set(key, key, 60)
    per_node = [s.client().dbsize() for s in redis_cluster.servers]
    assert all(count > 0 for count in per_node), per_node
    assert [cache.get(k) for k in keys] == keys


def test_scoped_invalidation_drops_only_that_scope(redis_alias):
    with override_settings(OPS_CACHE_RESPONSES=True):
        pages = VersionedNamespace(unique("ns"), alias=redis_alias, ttl=60)
        version = {"v": 1}

        def read(key, *scopes):
            return pages.get_or_set([key], lambda: {"key": key, **version}, scopes=scopes)

        assert read("team list", "public", "team:1") == {"key": "team list", "v": 1}
        assert read("anon list", "public") == {"key": "anon list", "v": 1}
        version["v"] = 2
        pages.invalidate("team:1", "page:9")  # one round trip for both
        assert read("team list", "public", "team:1") == {"key": "team list", "v": 2}
        assert read("anon list", "public") == {"key": "anon list", "v": 1}
        version["v"] = 3
        pages.invalidate()  # the whole namespace, every scope
        assert read("anon list", "public") == {"key": "anon list", "v": 3}


def test_a_create_stores_the_new_objects_entry_only_if_it_is_the_objects_first_write(redis_alias):
    with override_settings(OPS_CACHE_RESPONSES=True):
        pages = VersionedNamespace(unique("ns"), alias=redis_alias, ttl=60)
        computed = []

        def read(key):
            return pages.get_or_set([key], lambda: computed.append(key) or {"key": key, "v": "db"},
                                    scopes=[f"scope:{key}"])

        assert read("list") == {"key": "list", "v": "db"}  # an entry of another scope…
        assert pages.invalidate_new("scope:new", "scope:list", parts=["new"], value={"key": "new", "v": "primed"}) == 1
        assert read("new") == {"key": "new", "v": "primed"} and computed == ["list"]  # stored: a hit
        assert read("list") == {"key": "list", "v": "db"} and computed == ["list", "list"]  # …which it bumped

        pages.invalidate("scope:new")  # a later write to the object makes the stored entry stale
        assert read("new") == {"key": "new", "v": "db"}

        # An object someone wrote to before its creator's invalidation ran: nothing is stored.
        pages.invalidate("scope:raced")
        assert pages.invalidate_new("scope:raced", parts=["raced"], value={"key": "raced", "v": "primed"}) == 2
        assert read("raced") == {"key": "raced", "v": "db"}

        pages.invalidate()  # the namespace: primed entries go too
        assert pages.invalidate_new("scope:fresh", parts=["fresh"], value={"key": "fresh", "v": "primed"}) == 1
        pages.invalidate()
        assert read("fresh") == {"key": "fresh", "v": "db"}


def test_peek_many_reads_entries_of_their_own_scopes_in_one_lookup(redis_alias):
    with override_settings(OPS_CACHE_RESPONSES=True):
        pages = VersionedNamespace(unique("ns"), alias=redis_alias, ttl=60)
        entries = [(["page", n], [f"page:{n}"]) for n in (1, 2, 3)]
        values, store = pages.peek_many(entries)
        assert values == [None, None, None]
        store({0: {"n": 1}, 1: {"n": 2}})  # the third one is not stored (e.g. deleted meanwhile)
        assert pages.peek_many(entries)[0] == [{"n": 1}, {"n": 2}, None]
        assert pages.get_or_set(["page", 1], lambda: "computed", scopes=["page:1"]) == {"n": 1}  # one entry format

        pages.invalidate("page:2")
        values, store = pages.peek_many(entries)
        assert values == [{"n": 1}, None, None]
        pages.invalidate("page:2")  # a write between the lookup and the store: what is stored is stale
        store({1: {"n": "computed before the write"}})
        assert pages.peek_many(entries)[0] == [{"n": 1}, None, None]

        pages.invalidate()
        assert pages.peek_many(entries)[0] == [None, None, None]
        assert pages.peek_many([]) == ([], None)
    values, store = pages.peek_many(entries)  # the cache off: nothing read, nothing stored
    assert values == [None, None, None] and store is None
