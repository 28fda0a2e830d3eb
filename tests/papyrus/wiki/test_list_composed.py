"""The page list composed from each page's cached entry (cache.page_representations): the same
bytes and headers as the list read from the database, as fresh, and never a page its reader may
not see — whoever filled the entries."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from papyrus.wiki import selectors, services
from papyrus.wiki.serializers import PageSerializer

pytestmark = pytest.mark.usefixtures("caching")

URLS = ["/api/pages", "/api/pages?limit=2", "/api/pages?limit=2&offset=3", "/api/pages?offset=50",
        "/api/pages?q=zebra", "/api/pages?tag=k6", "/api/pages?folder=guides", "/api/pages?teamId={team}",
        "/api/pages?q=zebra&tag=k6&limit=1&offset=1"]


def database_list(reader, url):
    """What the list answered before composition: page_list's window through PageSerializer, rendered."""
    params = dict(pair.split("=") for pair in url.partition("?")[2].split("&") if pair)
    offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
    pages = selectors.page_list(user=reader, q=params.get("q", ""), tag=params.get("tag", ""),
                                folder=params.get("folder", ""), team_id=int(params["teamId"]) if "teamId" in params else None)
    body = JSONRenderer().render(PageSerializer(pages[offset:offset + limit], many=True).data)
    return body, str(pages.count())


@pytest.fixture
def wiki(user, other, make_user, team_of, page_of):
    team, elsewhere = team_of(user, name="Ours"), team_of(other, name="Theirs")
    page_of(user, "Zebra crossing", content="zebra", tags=["k6"], folder="guides")
    page_of(user, "Ünïcode — “quotes” \u2028 and zebra", content="zébra zebra", tags=["k6", "test"])
    page_of(other, "Plain page", content="nothing")
    page_of(user, "Team zebra", content="zebra", tags=["k6"], team=team, folder="guides")
    page_of(other, "Their zebra", content="zebra", tags=["k6"], team=elsewhere)
    for i in range(4):
        page_of(user, f"Filler {i}", content="filler zebra" if i % 2 else "filler", tags=["k6"] if i else [])
    return {"team": team, "elsewhere": elsewhere, "staff": make_user(is_staff=True, email="staff@example.com")}


def readers(user, other, wiki, login):
    return {"anonymous": (APIClient(), AnonymousUser()), "member": (login(user), user),
            "other team": (login(other), other), "staff": (login(wiki["staff"]), wiki["staff"])}


def assert_lists_are_the_databases(clients, wiki):
    for name, (client, reader) in clients.items():
        for url in URLS:
            url = url.format(team=wiki["team"].id)
            response = client.get(url)
            body, total = database_list(reader, url)
            assert response.status_code == 200, (name, url)
            assert (response.content, response["X-Total-Count"]) == (body, total), (name, url)


def test_a_composed_list_answers_the_databases_bytes(user, other, wiki, login, write):
    clients = readers(user, other, wiki, login)
    assert_lists_are_the_databases(clients, wiki)  # computed, entries stored
    assert_lists_are_the_databases(clients, wiki)  # whole lists cached
    team_page = write(services.page_create, author=user, title="New team zebra", content="zebra", tags=["k6"],
                      team=wiki["team"])
    assert_lists_are_the_databases(clients, wiki)  # the member's and staff's lists composed from entries
    write(services.page_update, page=team_page, editor=user, title="New team zebra, renamed")
    assert_lists_are_the_databases(clients, wiki)
    public = write(services.page_create, author=other, title="New public zebra", content="zebra", tags=["k6"])
    write(services.page_update, page=public, editor=other, content="zebra, edited")
    assert_lists_are_the_databases(clients, wiki)
    write(services.page_delete, page=team_page)
    write(services.page_delete, page=public)
    assert_lists_are_the_databases(clients, wiki)


def test_entries_a_member_filled_never_reach_a_non_member(user, other, wiki, login, write, client):
    member, outsider = login(user), login(other)
    assert "Team zebra" in [p["title"] for p in member.get("/api/pages").json()]  # its entry is stored now
    write(services.page_create, author=other, title="Public, after", content="zebra")  # every list entry stale
    for url in ("/api/pages", "/api/pages?q=zebra", "/api/pages?tag=k6&limit=100"):
        outsiders = [p["title"] for p in outsider.get(url).json()]
        anonymous = [p["title"] for p in client.get(url).json()]
        assert "Team zebra" not in outsiders and "Their zebra" in outsiders, url
        assert "Team zebra" not in anonymous and "Their zebra" not in anonymous, url
        assert "Their zebra" not in [p["title"] for p in member.get(url).json()], url
        assert "Public, after" in outsiders or "tag" in url


def test_a_page_deleted_while_a_list_is_composed_is_not_stored(user, page_of, write, client, monkeypatch):
    page = page_of(user, "Going away")
    real = selectors.pages_by_id

    def deleted_first(ids):  # the delete commits after the list read the window's ids
        write(services.page_delete, page=page)
        return real(ids)

    monkeypatch.setattr(selectors, "pages_by_id", deleted_first)
    assert [p["title"] for p in client.get("/api/pages").json()] == ["Going away"]  # the window, as read
    monkeypatch.setattr(selectors, "pages_by_id", real)
    assert client.get(f"/api/pages/{page.id}").status_code == 404  # its entry was not stored
    assert client.get("/api/pages").json() == []


def test_a_row_gone_while_a_list_is_composed_is_left_out(user, page_of, client, monkeypatch):
    """E.g. a database restore between the window's ids and its pages: no 500, the page is left out."""
    kept, gone = page_of(user, "Kept"), page_of(user, "Gone")
    real = selectors.pages_by_id

    def removed_first(ids):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM wiki_page WHERE id = %s", [gone.id])
        return real(ids)

    monkeypatch.setattr(selectors, "pages_by_id", removed_first)
    response = client.get("/api/pages")
    assert response.status_code == 200 and [p["id"] for p in response.json()] == [kept.id]
