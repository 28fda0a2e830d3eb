"""Presence in Redis: per user across connections and processes, expiring without heartbeat."""
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


def redis_now(client) -> float:
    seconds, micros = client.time()
    return seconds + micros / 1_000_000


async def test_connections_without_heartbeat_expire_and_are_reported_once(group, settings):
    """The TTL is applied on join; a member past it is pruned by the next touch, which reports
    its user once. Expiry is simulated by moving the crashed member's expiry into the past
    (what its missing heartbeats would do), so no step depends on how fast the machine is."""
    settings.REALTIME_PRESENCE_TTL = 60
    crashed = Presence(group, "conn-dead", 9, {"id": 9, "name": "Gone"})
    alive = Presence(group, "conn-live", 1, {"id": 1, "name": "Alice"})
    await crashed.join()
    await alive.join()
    client = redis.Redis.from_url(settings.REDIS_URL)
    members = crashed.keys[0]
    now = redis_now(client)
    # Present until its 60 s TTL runs out (counted from the join, which was just now).
    assert now + 30 < client.zscore(members, crashed.member) <= now + 60
    assert (await alive.touch()).vanished == []  # nobody has expired yet

    client.zadd(members, {crashed.member: now - 1}, xx=True)  # its process died; the TTL ran out
    snap = await alive.touch()

    assert snap.vanished == [{"id": 9, "name": "Gone"}]
    assert ids(await alive.list()) == [1]
    assert (await alive.touch()).vanished == []  # reported to one pruner only
    assert client.zscore(members, alive.member) > now  # the live one's heartbeat renewed it


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
