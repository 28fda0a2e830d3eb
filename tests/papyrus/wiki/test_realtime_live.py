"""Realtime across real server processes sharing Redis: uvicorn ASGI (WebSockets) and granian
WSGI (the production HTTP path), driven by the `websockets` client like a browser would."""
import asyncio
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ops.realtime import codes

from tests.support.live import manage

from .realtime_client import call, create_page, next_event, open_ws, register

NO_RATE_LIMIT = {"RATE_LIMIT_ENABLED": "false"}  # many sign-ups from one address in a few seconds


@pytest.fixture
def two_asgi(papyrus_server):
    return (papyrus_server(workers=1, interface="asgi", env=NO_RATE_LIMIT),
            papyrus_server(workers=1, interface="asgi", env=NO_RATE_LIMIT))


def test_patch_on_one_process_reaches_clients_on_the_other_with_presence(two_asgi):
    a, b = two_asgi
    alice_id, alice = register(b.url, "Alice")
    bob_id, bob = register(a.url, "Bob")
    page = create_page(b.url, alice, "Shared page")
    path = f"/ws/pages/{page['id']}/"

    async def scenario():
        async with open_ws(a.url, path, bob) as bob_ws, open_ws(a.url, "/ws/events/", bob) as bob_events:
            assert [u["id"] for u in (await next_event(bob_ws, "presence.list"))["users"]] == [bob_id]
            async with open_ws(b.url, path, alice) as alice_ws:
                listed = await next_event(alice_ws, "presence.list")
                assert sorted(u["id"] for u in listed["users"]) == sorted([alice_id, bob_id])  # users on both
                assert (await next_event(bob_ws, "presence.join"))["user"] == {"id": alice_id, "name": "Alice"}

                status, body, _ = await asyncio.to_thread(call, b.url, "PATCH", f"/api/pages/{page['id']}",
                                                          {"title": "Edited on B"}, alice)
                assert status == 200, body
                updated = await next_event(bob_ws, "page.updated", timeout=5)
                assert updated["page"]["title"] == "Edited on B"
                assert updated["seq"] == listed["seq"] + 1
                streamed = await next_event(bob_events, "page.updated", timeout=5)
                assert (streamed["page"]["id"], streamed["seq"]) == (page["id"], updated["seq"])
            assert (await next_event(bob_ws, "presence.leave"))["user"]["id"] == alice_id

    asyncio.run(scenario())


def test_production_http_path_wsgi_patch_reaches_asgi_clients(papyrus_server):
    ws_server = papyrus_server(workers=1, interface="asgi", env=NO_RATE_LIMIT)
    http_server = papyrus_server(workers=2, interface="wsgi", env=NO_RATE_LIMIT)
    _, alice = register(http_server.url, "Alice")
    page = create_page(http_server.url, alice, "Via granian")

    async def scenario():
        async with open_ws(ws_server.url, f"/ws/pages/{page['id']}/", alice) as ws:
            await next_event(ws, "presence.list")
            for n in range(3):  # both granian workers, several times
                status, _, _ = await asyncio.to_thread(call, http_server.url, "PATCH", f"/api/pages/{page['id']}",
                                                       {"content": f"v{n}"}, alice)
                assert status == 200
                assert (await next_event(ws, "page.updated", timeout=5))["page"]["id"] == page["id"]
            status, _, _ = await asyncio.to_thread(call, http_server.url, "DELETE", f"/api/pages/{page['id']}",
                                                   None, alice)
            assert status == 204
            assert (await next_event(ws, "page.deleted", timeout=5))["page"]["id"] == page["id"]
            with pytest.raises(ConnectionClosed) as closed:
                await next_event(ws)
            assert closed.value.rcvd.code == codes.GONE

    asyncio.run(scenario())


def test_refusals_limits_and_metrics_on_a_live_server(papyrus_server):
    server = papyrus_server(workers=1, interface="asgi", env=NO_RATE_LIMIT)
    owner_id, owner = register(server.url, "Owner")
    _, outsider = register(server.url, "Outsider")
    status, team, _ = call(server.url, "POST", "/api/teams", {"name": "Private"}, owner)
    assert status == 201, team
    secret = create_page(server.url, owner, "Team only", teamId=team["id"])
    public = create_page(server.url, owner, "Public")

    async def refused(path, token):
        with pytest.raises(InvalidStatus) as denied:
            async with open_ws(server.url, path, token):
                pass
        return denied.value.response.status_code

    async def closed_with(messages):
        async with open_ws(server.url, f"/ws/pages/{public['id']}/", owner) as ws:
            await next_event(ws, "presence.list")
            with pytest.raises(ConnectionClosed) as closed:
                for message in messages:
                    await ws.send(message)
                while True:
                    await ws.recv()
            return closed.value.rcvd.code

    async def scenario():
        assert await refused(f"/ws/pages/{public['id']}/", None) == 403
        assert await refused("/ws/events/", "not.a.jwt") == 403
        assert await refused(f"/ws/pages/{secret['id']}/", outsider) == 403
        assert await closed_with(['{"type": "ping", "pad": "%s"}' % ("x" * 20_000)]) == codes.MESSAGE_TOO_BIG
        assert await closed_with(['{"type": "ping"}'] * 100) == codes.RATE_LIMITED
        async with open_ws(server.url, "/ws/events/", outsider) as ws:
            await asyncio.to_thread(call, server.url, "PATCH", f"/api/pages/{secret['id']}", {"title": "x"}, owner)
            await asyncio.to_thread(call, server.url, "PATCH", f"/api/pages/{public['id']}", {"title": "y"}, owner)
            # The public edit arrives; the team edit made before it never does.
            assert (await next_event(ws))["page"]["id"] == public["id"]
            with urllib.request.urlopen(server.url + "/metrics", timeout=5) as r:
                metrics = r.read().decode()
        assert "papyrus_websocket_connections 1.0" in metrics
        assert "papyrus_active_connections 1.0" in metrics  # the open socket; the scrape is not counted
        assert f'papyrus_websocket_closes_total{{code="{codes.RATE_LIMITED}"}} 1.0' in metrics

    asyncio.run(scenario())


def set_membership(user_id: int, team_id: int, *, member: bool) -> None:
    """Add or remove a membership from another process (the admin's or a shell's write path),
    committed in the main database the live server reads."""
    action = ("Membership.objects.get_or_create(user_id={u}, team_id={t})" if member
              else "Membership.objects.filter(user_id={u}, team_id={t}).delete()").format(u=user_id, t=team_id)
    manage("shell", "-c", f"from papyrus.wiki.models import Membership; {action}")


async def first_team_event_for(watcher, owner_ws, server, owner, team_id, deadline: float = 20.0) -> dict:
    """Create team pages until `watcher` receives one's event: the connection re-subscribes on
    its own, a little after the membership commit. Each page's event has reached `owner_ws`
    (a member all along) before `watcher` is polled, so a page the watcher misses was sent."""
    async with asyncio.timeout(deadline):
        while True:
            page = await asyncio.to_thread(create_page, server.url, owner, "Team news", teamId=team_id)
            while (await next_event(owner_ws, "page.created"))["page"]["id"] != page["id"]:
                pass
            try:
                return await next_event(watcher, "page.created", timeout=0.5)
            except TimeoutError:
                continue


def test_a_member_added_or_removed_while_connected_gets_the_team_events_or_stops(papyrus_server):
    server = papyrus_server(workers=1, interface="asgi", env=NO_RATE_LIMIT)
    _, owner = register(server.url, "Owner")
    newcomer_id, newcomer = register(server.url, "Newcomer")
    status, team, _ = call(server.url, "POST", "/api/teams", {"name": "Crew"}, owner)
    assert status == 201, team

    async def scenario():
        async with open_ws(server.url, "/ws/events/", owner) as owner_ws, \
                open_ws(server.url, "/ws/events/", newcomer) as newcomer_ws:
            before = await asyncio.to_thread(create_page, server.url, owner, "Before", teamId=team["id"])
            assert (await next_event(owner_ws, "page.created"))["page"]["id"] == before["id"]

            await asyncio.to_thread(set_membership, newcomer_id, team["id"], member=True)
            event = await first_team_event_for(newcomer_ws, owner_ws, server, owner, team["id"])
            assert event["page"]["teamId"] == team["id"] and event["page"]["id"] != before["id"]

            await asyncio.to_thread(set_membership, newcomer_id, team["id"], member=False)
            secret = await asyncio.to_thread(create_page, server.url, owner, "After", teamId=team["id"])
            public = await asyncio.to_thread(create_page, server.url, owner, "Public")
            # The public page arrives; no team page created after the removal comes before it.
            while (received := await next_event(newcomer_ws, "page.created"))["page"]["id"] != public["id"]:
                assert received["page"]["id"] != secret["id"]

    asyncio.run(scenario())
