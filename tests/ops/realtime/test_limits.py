"""Per-connection limits and the base consumer's protocol, through Channels' communicator."""
import asyncio

import pytest
from tests.support.ws import WebsocketCommunicator

from ops.realtime import codes
from ops.realtime.limits import TokenBucket

from .support import application

pytestmark = pytest.mark.anyio


def communicator(path="/ws/echo/", user=b"1", extra=()):
    headers = [(b"x-user", user)] if user else []
    return WebsocketCommunicator(application, path, headers=[*headers, *extra])


async def next_close(comm, limit=50) -> int:
    """Read outputs until the server closes; the close code."""
    for _ in range(limit):
        out = await comm.receive_output(timeout=2)
        if out["type"] == "websocket.close":
            return out.get("code")
    raise AssertionError("the server never closed")


def test_token_bucket_allows_burst_then_refills_at_rate():
    now = [0.0]
    bucket = TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token back at 2/s
    assert bucket.take() and not bucket.take()


async def test_anonymous_handshake_is_refused():
    comm = communicator(user=None)
    connected, _ = await comm.connect()
    assert not connected


async def test_ping_echo_and_bad_messages():
    comm = communicator()
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {"type": "pong"}
    await comm.send_json_to({"type": "echo", "data": [1, "two"]})
    assert await comm.receive_json_from() == {"type": "echo", "data": [1, "two"]}
    await comm.send_to(text_data="{not json")
    assert (await comm.receive_json_from())["type"] == "error"
    await comm.send_json_to({"type": "shout"})
    assert (await comm.receive_json_from())["message"] == "unknown message type: 'shout'"
    await comm.disconnect()


async def test_a_deeply_nested_frame_is_answered_as_bad_json_and_the_socket_stays(settings):
    # 5,000 levels fit in the default frame limit but exceed what json.loads can recurse (RecursionError).
    settings.REALTIME_MAX_MESSAGE_BYTES = 16384
    comm = communicator()
    assert (await comm.connect())[0]
    await comm.send_to(text_data="[" * 5000 + "]" * 5000)
    assert await comm.receive_json_from() == {"type": "error", "message": "messages must be JSON"}
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from() == {"type": "pong"}
    await comm.disconnect()


async def test_oversized_message_closes_with_message_too_big():
    comm = communicator()
    await comm.connect()
    await comm.send_to(text_data='{"type": "echo", "data": "%s"}' % ("x" * 2000))
    assert await next_close(comm) == codes.MESSAGE_TOO_BIG == 4413
    await comm.disconnect()


async def test_multibyte_text_is_measured_in_bytes():
    comm = communicator()
    await comm.connect()
    await comm.send_to(text_data='{"type": "echo", "data": "%s"}' % ("é" * 300))  # 300 chars, 600 bytes
    assert (await comm.receive_json_from())["type"] == "echo"
    await comm.send_to(text_data='{"type": "echo", "data": "%s"}' % ("€" * 340))  # 340 chars, 1020 bytes
    assert await next_close(comm) == codes.MESSAGE_TOO_BIG
    await comm.disconnect()


async def test_flooding_client_is_closed_with_rate_limited():
    comm = communicator()
    await comm.connect()
    for _ in range(30):
        await comm.send_json_to({"type": "ping"})
    pongs = 0
    while True:
        out = await comm.receive_output(timeout=2)
        if out["type"] == "websocket.close":
            break
        pongs += 1
    assert out["code"] == codes.RATE_LIMITED == 4429
    assert 5 <= pongs < 30  # the burst is answered, the flood is not
    await comm.disconnect()


async def test_a_client_within_the_rate_is_never_closed():
    comm = communicator()
    await comm.connect()
    for _ in range(12):
        await comm.send_json_to({"type": "ping"})
        assert await comm.receive_json_from() == {"type": "pong"}
        await asyncio.sleep(0.25)  # 4/s, under the 5/s limit
    await comm.disconnect()


async def test_binary_frames_close_with_unsupported_data():
    comm = communicator()
    await comm.connect()
    await comm.send_to(bytes_data=b"\x00\x01")
    assert await next_close(comm) == codes.UNSUPPORTED_DATA
    await comm.disconnect()


async def test_connection_closes_when_its_token_expires():
    comm = communicator(user=b"7;ttl=0.3")
    connected, _ = await comm.connect()
    assert connected
    assert await next_close(comm) == codes.UNAUTHORIZED == 4401
    await comm.disconnect()


async def test_open_consumer_accepts_anonymous():
    comm = communicator("/ws/open/", user=None)
    connected, _ = await comm.connect()
    assert connected
    await comm.disconnect()
