"""Redis restarts under a live server (a dedicated redis-server, empty after restart): writes keep
working, and clients see a sequence gap so they know to refetch."""
import asyncio
from pathlib import Path

import pytest

from scripts.services import Redis, free_port

from .realtime_client import call, create_page, next_event, open_ws, register


@pytest.fixture
def own_redis(tmp_path):
    redis = Redis(tmp_path / "redis", free_port(), persistent=False)
    redis.start()
    yield redis
    redis.stop()


def test_clients_see_the_sequence_gap_after_a_redis_restart(papyrus_server, own_redis):
    server = papyrus_server(workers=1, interface="asgi",
                            env={"REDIS_URL": own_redis.url, "RATE_LIMIT_ENABLED": "false"},
                            log=Path("/tmp/rt-restart.log"))
    _, alice = register(server.url, "Alice")
    page = create_page(server.url, alice, "Through the outage")
    path, api = f"/ws/pages/{page['id']}/", f"/api/pages/{page['id']}"

    def patch(**fields):
        status, body, _ = call(server.url, "PATCH", api, fields, alice)
        assert status == 200, body  # the write never depends on Redis

    async def scenario():
        async with open_ws(server.url, path, alice) as stayer:
            await next_event(stayer, "presence.list")
            async with open_ws(server.url, path, alice) as leaver:
                await next_event(leaver, "presence.list")
                await asyncio.to_thread(patch, content="before")
                last_seen = (await next_event(leaver, "page.updated"))["seq"]
                assert (await next_event(stayer, "page.updated"))["seq"] == last_seen

            own_redis.stop()
            await asyncio.to_thread(patch, content="during the outage")  # its event is lost
            own_redis.start()

            async with open_ws(server.url, path, alice) as returning:  # the client reconnects
                hello = await next_event(returning, "presence.list")
                assert hello["seq"] != last_seen  # gap visible at once: refetch
                await asyncio.to_thread(patch, content="after")
                after = await next_event(returning, "page.updated", timeout=15)
                assert after["seq"] > last_seen + 1  # numbers never repeat after Redis lost them
                assert after["page"]["id"] == page["id"]
            # A client that stayed connected through the restart is resubscribed and sees the gap too.
            kept = await next_event(stayer, "page.updated", timeout=15)
            assert kept["seq"] == after["seq"]

    asyncio.run(scenario())
