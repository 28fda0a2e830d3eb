"""/ws/pages/{id}/ and /ws/events/ through the real ASGI application (papyrus.asgi), real Redis
and PostgreSQL, with an in-process communicator. Cross-process behaviour: test_realtime_live.py."""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from rest_framework_simplejwt.tokens import AccessToken

from ops.realtime import codes
from papyrus.asgi import application
from papyrus.wiki import services
from papyrus.wiki.models import Membership
from tests.support.ws import WebsocketCommunicator

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(autouse=True)
async def close_consumer_connections():
    """Consumers query from asgiref's shared sync thread: close its connection so the test
    database can be flushed and dropped."""
    yield
    await database_sync_to_async(connections.close_all)()


def cookie_for(user) -> bytes:
    return f"accessToken={AccessToken.for_user(user)}".encode()


def ws(path: str, cookie: bytes | None = None, headers=()) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[*([(b"cookie", cookie)] if cookie else []), *headers])


async def connected(path: str, user) -> WebsocketCommunicator:
    comm = ws(path, cookie_for(user))
    ok, code = await comm.connect()
    assert ok, f"refused with {code}"
    return comm


async def refused(path: str, cookie: bytes | None = None, headers=()) -> bool:
    comm = ws(path, cookie, headers)
    ok, _ = await comm.connect()
    if ok:
        await comm.disconnect()
    return not ok


async def in_thread(fn, *args, **kwargs):
    """Run sync ORM/service code off the event loop, as a view or a Celery task would."""
    return await database_sync_to_async(fn)(*args, **kwargs)


@pytest.fixture
def public_page(user):
    return services.page_create(author=user, title="Public page", content="hello")


@pytest.fixture
def team_page(user, team_of):
    team = team_of(user, name="Secret team")
    return services.page_create(author=user, title="Team page", content="s3cret", team=team)


# --- handshake ------------------------------------------------------------------------------

async def test_anonymous_and_bad_tokens_are_refused_at_the_handshake(user, public_page):
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(seconds=5))
    for path in (f"/ws/pages/{public_page.pk}/", "/ws/events/"):
        assert await refused(path)
        assert await refused(path, b"accessToken=not-a-jwt")
        assert await refused(path, f"accessToken={expired}".encode())
        assert await refused(path, f"accessToken={AccessToken.for_user(user)}x".encode())  # bad signature


async def test_bearer_header_is_accepted_like_the_api(user, public_page):
    comm = ws(f"/ws/pages/{public_page.pk}/", headers=[(b"authorization", f"Bearer {AccessToken.for_user(user)}".encode())])
    assert (await comm.connect())[0]
    await comm.disconnect()


async def test_unknown_deleted_and_unreadable_pages_are_refused(user, other, team_page, public_page):
    assert await refused("/ws/pages/999999/", cookie_for(user))
    assert await refused(f"/ws/pages/{team_page.pk}/", cookie_for(other))  # not a member
    assert await refused("/ws/nowhere/", cookie_for(user))
    await in_thread(services.page_delete, page=public_page)
    assert await refused(f"/ws/pages/{public_page.pk}/", cookie_for(user))


async def test_cross_site_browser_origin_is_refused(user, public_page):
    origin = [(b"origin", b"https://evil.example.net")]
    assert await refused(f"/ws/pages/{public_page.pk}/", cookie_for(user), origin)
    same = [(b"origin", b"http://127.0.0.1:8000")]
    assert not await refused(f"/ws/pages/{public_page.pk}/", cookie_for(user), same)


# --- page events ----------------------------------------------------------------------------

async def test_page_socket_sends_presence_then_one_update_per_write(user, public_page):
    comm = await connected(f"/ws/pages/{public_page.pk}/", user)
    hello = await comm.receive_json_from()
    assert hello["type"] == "presence.list"
    assert hello["users"] == [{"id": user.pk, "name": "Alice"}]
    assert isinstance(hello["seq"], int)  # page.created was the page's first numbered event

    await in_thread(services.page_update, page=public_page, editor=user, title="Renamed")
    event = await comm.receive_json_from()
    assert event["type"] == "page.updated"
    assert event["page"]["id"] == public_page.pk and event["page"]["title"] == "Renamed"
    assert "content" not in event["page"]
    assert event["seq"] == hello["seq"] + 1
    assert await comm.receive_nothing(0.5)  # exactly once per write

    await in_thread(services.page_update, page=public_page, editor=user, content="again")
    assert (await comm.receive_json_from())["seq"] == event["seq"] + 1
    await comm.disconnect()


async def test_reconnecting_client_learns_the_current_seq(user, public_page):
    comm = await connected(f"/ws/pages/{public_page.pk}/", user)
    await comm.receive_json_from()
    last_seen = None
    await in_thread(services.page_update, page=public_page, editor=user, content="v2")
    last_seen = (await comm.receive_json_from())["seq"]
    await comm.disconnect()
    await in_thread(services.page_update, page=public_page, editor=user, content="missed")
    again = await connected(f"/ws/pages/{public_page.pk}/", user)
    assert (await again.receive_json_from())["seq"] == last_seen + 1  # one event missed: refetch
    await again.disconnect()


async def test_deleted_page_tells_then_closes_with_gone(user, public_page):
    comm = await connected(f"/ws/pages/{public_page.pk}/", user)
    await comm.receive_json_from()
    await in_thread(services.page_delete, page=public_page)
    assert (await comm.receive_json_from())["type"] == "page.deleted"
    assert (await comm.receive_output())["code"] == codes.GONE
    await comm.disconnect(codes.GONE)


async def test_presence_join_and_leave_between_users(user, other, public_page):
    alice = await connected(f"/ws/pages/{public_page.pk}/", user)
    await alice.receive_json_from()
    bob = await connected(f"/ws/pages/{public_page.pk}/", other)
    listed = await bob.receive_json_from()
    assert sorted(u["name"] for u in listed["users"]) == ["Alice", "Bob"]
    assert await alice.receive_json_from() == {"type": "presence.join", "user": {"id": other.pk, "name": "Bob"}}
    # Never an echo of one's own join. (A join published just before Bob subscribed may still
    # reach him: pub/sub fans out locally on receipt; clients treat joins idempotently.)
    while not await bob.receive_nothing(0.3):
        assert (await bob.receive_json_from())["user"]["id"] != other.pk
    await bob.disconnect()
    assert await alice.receive_json_from() == {"type": "presence.leave", "user": {"id": other.pk, "name": "Bob"}}
    await alice.disconnect()


async def test_member_removed_from_team_is_cut_off(user, other, team_of):
    team = await in_thread(team_of, user, other, name="Crew")
    page = await in_thread(services.page_create, author=user, title="Crew page", team=team)
    comm = await connected(f"/ws/pages/{page.pk}/", other)
    await comm.receive_json_from()
    await in_thread(lambda: Membership.objects.filter(team=team, user=other).delete())
    await in_thread(services.page_update, page=page, editor=user, content="members only")
    assert (await comm.receive_output())["code"] == codes.FORBIDDEN
    await comm.disconnect(codes.FORBIDDEN)


# --- the event stream -----------------------------------------------------------------------

async def test_event_stream_only_carries_readable_pages(user, other, make_user, team_of):
    staff = await in_thread(make_user, name="Root", is_staff=True)
    team = await in_thread(team_of, user, name="Team")
    member, outsider, admin = [await connected("/ws/events/", u) for u in (user, other, staff)]

    secret = await in_thread(services.page_create, author=user, title="Secret", team=team)
    public = await in_thread(services.page_create, author=user, title="Open")

    for comm in (member, admin):
        first, second = await comm.receive_json_from(), await comm.receive_json_from()
        assert [(e["type"], e["page"]["title"]) for e in (first, second)] == [
            ("page.created", "Secret"), ("page.created", "Open")]
    got = await outsider.receive_json_from()
    assert (got["type"], got["page"]["id"]) == ("page.created", public.pk)
    assert await outsider.receive_nothing(0.5)  # never the team page

    await in_thread(services.page_update, page=secret, editor=user, title="Secret 2")
    await in_thread(services.page_delete, page=secret)
    assert [(await member.receive_json_from())["type"] for _ in range(2)] == ["page.updated", "page.deleted"]
    assert await outsider.receive_nothing(0.5)
    for comm in (member, outsider, admin):
        await comm.disconnect()
