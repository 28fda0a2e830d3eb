"""Presence in Redis: per user across connections and processes, expiring without heartbeat."""
import asyncio

import pytest
import redis

from ops.realtime.presence import Presence

pytestmark = pytest.mark.anyio


@pytest.fixture
def group(request, settings):
    name = f"presence.{request.node.name[:50]}"
    yield name
    redis.Redis.from_url(settings.REDIS_URL).delete(*Presence(name, "x", 0, {}).keys)


def ids(snap):
    return sorted(u["id"] for u in snap.users)


async def test_join_leave_per_user_across_connections(group):
    alice_tab1 = Presence(group, "conn-a1", 1, {"id": 1, "name": "Alice"})
    alice_tab2 = Presence(group, "conn-a2", 1, {"id": 1, "name": "Alice"})
    bob = Presence(group, "conn-b", 2, {"id": 2, "name": "Bob"})

    snap = await alice_tab1.join()
    assert alice_tab1.first_of_user(snap) and ids(snap) == [1]
    snap = await alice_tab2.join()
    assert not alice_tab2.first_of_user(snap) and ids(snap) == [1]  # one entry per user
    snap = await bob.join()
    assert snap.users == [{"id": 1, "name": "Alice"}, {"id": 2, "name": "Bob"}]
    assert (await bob.touch()).users == []  # heartbeats stay cheap: no list

    snap = await alice_tab1.leave()
    assert not alice_tab1.last_of_user(snap)
    assert ids(await bob.list()) == [1, 2]
    snap = await alice_tab2.leave()
    assert alice_tab2.last_of_user(snap)
    assert ids(await bob.list()) == [2]
    assert alice_tab2.last_of_user(await alice_tab2.leave())  # leaving twice is harmless


async def test_connections_without_heartbeat_expire_and_are_reported_once(group, settings):
    settings.REALTIME_PRESENCE_TTL = 0.3
    crashed = Presence(group, "conn-dead", 9, {"id": 9, "name": "Gone"})
    alive = Presence(group, "conn-live", 1, {"id": 1, "name": "Alice"})
    await crashed.join()
    await alive.join()
    for _ in range(3):
        await asyncio.sleep(0.2)
        snap = await alive.touch()  # the live one keeps beating; the crashed one cannot
        if snap.vanished:
            break
    assert snap.vanished == [{"id": 9, "name": "Gone"}]
    assert ids(await alive.list()) == [1]
    assert (await alive.touch()).vanished == []  # reported to one pruner only


async def test_touch_restores_a_connection_redis_forgot(group, settings):
    me = Presence(group, "conn-1", 1, {"id": 1, "name": "Alice"})
    await me.join()
    redis.Redis.from_url(settings.REDIS_URL).delete(*me.keys)  # Redis restarted empty
    assert ids(await me.list()) == []
    assert me.first_of_user(await me.touch())
    assert ids(await me.list()) == [1]


async def test_names_with_separators_survive(group):
    odd = Presence(group, "conn-odd", 3, {"id": 3, "name": "a|b|c"})
    assert (await odd.join()).users == [{"id": 3, "name": "a|b|c"}]
