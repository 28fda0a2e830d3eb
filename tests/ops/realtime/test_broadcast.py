"""Sequenced broadcasts over the real channel layer (channels-redis pub/sub on REDIS_URL)."""
import asyncio
import socket
import threading

import pytest
import redis

from ops.realtime import broadcast, conf
from ops.realtime.broadcast import BroadcastError, current_seq, group_send, group_send_sync
from tests.support.ws import WebsocketCommunicator

from .support import application

pytestmark = pytest.mark.anyio


@pytest.fixture
def group(request):
    return f"test.{request.node.name[:60]}.{threading.get_ident() % 10_000}"


@pytest.fixture(autouse=True)
def clean_counters(settings):
    yield
    r = redis.Redis.from_url(settings.REDIS_URL)
    for key in r.scan_iter(f"{conf.key_prefix()}seq:test.*"):
        r.delete(key)
    broadcast._missed.clear()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


async def subscriber(group: str) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, f"/ws/group/{group}/", headers=[(b"x-user", b"1")])
    assert (await comm.connect())[0]
    return comm


async def test_events_reach_subscribers_with_consecutive_seq(group):
    comm = await subscriber(group)
    first = await group_send(group, {"type": "note", "text": "a"})
    second = await group_send(group, {"type": "note", "text": "b"})
    assert second == first + 1
    assert await comm.receive_json_from() == {"type": "note", "text": "a", "seq": first}
    assert await comm.receive_json_from() == {"type": "note", "text": "b", "seq": second}
    assert await current_seq(group) == second
    await comm.disconnect()


async def test_also_groups_get_the_same_event_and_seq(group):
    main, other = await subscriber(group), await subscriber(group + ".also")
    seq = await group_send(group, {"type": "note"}, also=[group + ".also"])
    assert (await main.receive_json_from())["seq"] == seq
    assert (await other.receive_json_from())["seq"] == seq
    assert await current_seq(group + ".also") is None  # numbered by the first group only
    await main.disconnect()
    await other.disconnect()


async def test_sync_sender_from_another_thread(group):
    comm = await subscriber(group)
    seq = await asyncio.to_thread(group_send_sync, group, {"type": "note", "via": "sync"})
    assert await comm.receive_json_from() == {"type": "note", "via": "sync", "seq": seq}
    await comm.disconnect()


async def test_sync_sender_on_the_pubsub_layer_publishes_itself_in_the_layers_own_names(group):
    # One host and channels_redis.pubsub: no event loop, one EVAL and one PUBLISH pipeline. If an
    # upgrade of channels-redis renamed its group channels or changed its serialization, the
    # subscribers below (the real layer) would hear nothing.
    assert broadcast.direct_prefix() == "asgi"
    main, other = await subscriber(group), await subscriber(group + ".also")
    seq = await asyncio.to_thread(group_send_sync, group, {"type": "note", "tags": ["a"], "team": None},
                                  also=[group + ".also"])
    assert await main.receive_json_from() == {"type": "note", "tags": ["a"], "team": None, "seq": seq}
    assert await other.receive_json_from() == {"type": "note", "tags": ["a"], "team": None, "seq": seq}
    assert await asyncio.to_thread(broadcast.current_seq_sync, group) == seq
    await main.disconnect()
    await other.disconnect()


async def test_other_layers_keep_the_event_loop_path(group, settings):
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**layer, "BACKEND": "channels_redis.core.RedisChannelLayer"}}
    assert broadcast.direct_prefix() is None
    comm = await subscriber(group)
    seq = await asyncio.to_thread(group_send_sync, group, {"type": "note", "via": "loop"})
    assert await comm.receive_json_from() == {"type": "note", "via": "loop", "seq": seq}
    assert await asyncio.to_thread(broadcast.current_seq_sync, group) == seq
    await comm.disconnect()


async def test_a_lost_counter_restarts_higher_so_the_gap_shows(group, settings):
    before = await group_send(group, {"type": "note"})
    redis.Redis.from_url(settings.REDIS_URL).delete(broadcast.seq_key(group))  # Redis lost its data
    after = await group_send(group, {"type": "note"})
    assert after > before + 1


async def test_events_lost_while_redis_is_down_leave_a_gap(group, settings):
    before = await asyncio.to_thread(group_send_sync, group, {"type": "note"})
    settings.REALTIME_REDIS_URL = closed_port_url()
    with pytest.raises(BroadcastError):
        await asyncio.to_thread(group_send_sync, group, {"type": "note"})
    settings.REALTIME_REDIS_URL = ""
    after = await asyncio.to_thread(group_send_sync, group, {"type": "note"})
    assert after == before + 2  # the lost event's number is skipped, not reused


def test_sync_sender_times_out_instead_of_hanging(settings):
    listener = socket.socket()  # accepts TCP but never answers: a hung Redis
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    settings.REALTIME_REDIS_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    settings.REALTIME_SEND_TIMEOUT = 0.3
    try:
        with pytest.raises(BroadcastError, match="TimeoutError"):
            group_send_sync("test.hung", {"type": "note"})
    finally:
        listener.close()
