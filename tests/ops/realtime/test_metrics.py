"""Open connections, frames and closes are counted under PROMETHEUS_PREFIX; listeners hear them."""
import pytest
from prometheus_client import REGISTRY

from ops.realtime import codes, registry
from tests.support.ws import WebsocketCommunicator

from .support import application

pytestmark = pytest.mark.anyio


def sample(settings, name, **labels) -> float:
    return REGISTRY.get_sample_value(settings.PROMETHEUS_PREFIX + name, labels) or 0.0


async def test_connections_frames_and_closes_are_counted(settings):
    heard = []
    listener = lambda event, consumer, **info: heard.append((event, info))  # noqa: E731
    registry.add_listener(listener)
    try:
        comm = WebsocketCommunicator(application, "/ws/echo/", headers=[(b"x-user", b"1")])
        open_before = registry.open_connections()
        in_before = sample(settings, "websocket_messages_total", direction="in")
        out_before = sample(settings, "websocket_messages_total", direction="out")
        closes_before = sample(settings, "websocket_closes_total", code=str(codes.MESSAGE_TOO_BIG))

        await comm.connect()
        assert registry.open_connections() == open_before + 1
        gauge_open = sample(settings, "websocket_connections")
        await comm.send_json_to({"type": "ping"})
        await comm.receive_json_from()
        await comm.send_to(text_data="x" * 5000)  # too big: closed by the server
        assert (await comm.receive_output())["code"] == codes.MESSAGE_TOO_BIG
        await comm.disconnect(codes.MESSAGE_TOO_BIG)

        assert registry.open_connections() == open_before
        assert sample(settings, "websocket_connections") == gauge_open - 1
        assert sample(settings, "websocket_messages_total", direction="in") == in_before + 2
        assert sample(settings, "websocket_messages_total", direction="out") == out_before + 1
        assert sample(settings, "websocket_closes_total", code=str(codes.MESSAGE_TOO_BIG)) == closes_before + 1
        assert [e for e, _ in heard] == ["open", "message", "message", "message", "close"]
        assert heard[-1][1] == {"code": codes.MESSAGE_TOO_BIG}
    finally:
        registry.remove_listener(listener)


async def test_a_failing_listener_does_not_break_connections():
    def broken(event, consumer, **info):
        raise RuntimeError("listener bug")

    registry.add_listener(broken)
    try:
        comm = WebsocketCommunicator(application, "/ws/echo/", headers=[(b"x-user", b"1")])
        assert (await comm.connect())[0]
        await comm.send_json_to({"type": "ping"})
        assert await comm.receive_json_from() == {"type": "pong"}
        await comm.disconnect()
    finally:
        registry.remove_listener(broken)
