"""GET /api/pages and GET /api/pages/{id}: shape, visibility, filters, paging headers."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from papyrus.wiki import api, services
from scripts import run
from tests.support.live import ROOT
from papyrus.wiki.models import Page

PAGE_KEYS = {"id", "title", "slug", "content", "tags", "folder", "author", "teamId", "createdAt", "updatedAt"}


def links(response) -> dict[str, dict]:
    """Parse an RFC 8288 Link header into {rel: query params}."""
    found = {}
    for target, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', response["Link"]):
        params = parse_qs(urlsplit(target).query)
        found[rel] = {k: v[0] for k, v in params.items()} | {"path": urlsplit(target).path}
    return found


def bulk_pages(author, n, **fields):
    """n public pages written straight to the table (paging tests need many rows, not services)."""
    Page.objects.bulk_create(Page(title=f"Bulk {i}", slug=f"bulk-{i}", content="x", author=author, **fields)
                             for i in range(n))


def test_list_is_a_json_array_newest_first_with_page_fields(client, user, page_of):
    first, second = page_of(user, "First"), page_of(user, "Second", tags=["a"], folder="guides")
    r = client.get("/api/pages", content_type="application/json")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert isinstance(body, list)
    assert [p["id"] for p in body] == [second.id, first.id]
    assert PAGE_KEYS <= set(body[0])
    assert body[0]["author"] == "Alice" and body[0]["tags"] == ["a"] and body[0]["folder"] == "guides"
    assert body[0]["teamId"] is None


def test_anonymous_list_shows_only_public_pages(client, user, team_of, page_of):
    public = page_of(user, "Public")
    page_of(user, "Secret", team=team_of(user))
    r = client.get("/api/pages")
    assert [p["id"] for p in r.json()] == [public.id]
    assert r["X-Total-Count"] == "1"


def test_team_pages_are_listed_for_members_and_staff_only(login, user, other, make_user, team_of, page_of, staff):
    team = team_of(user, other)
    secret = page_of(user, "Secret", team=team)
    outsider = make_user()
    assert secret.id in [p["id"] for p in login(other).get("/api/pages").json()]
    assert secret.id in [p["id"] for p in login(staff).get("/api/pages").json()]
    assert secret.id not in [p["id"] for p in login(outsider).get("/api/pages").json()]


def test_deleted_pages_leave_the_list(client, user, page_of):
    gone = page_of(user, "Gone")
    kept = page_of(user, "Kept")
    services.page_delete(page=gone)
    r = client.get("/api/pages")
    assert [p["id"] for p in r.json()] == [kept.id]
    assert r["X-Total-Count"] == "1"


def test_filters_by_tag_folder_q_and_team(signed_in, user, team_of, page_of):
    team = team_of(user)
    tagged = page_of(user, "Tagged", tags=["ops"])
    foldered = page_of(user, "Filed", folder="runbooks")
    found = page_of(user, "Kubernetes rollout")
    in_team = page_of(user, "Team one", team=team)

    def ids(query):
        r = signed_in.get("/api/pages?" + query)
        assert r.status_code == 200, r.content
        return [p["id"] for p in r.json()]

    assert ids("tag=ops") == [tagged.id]
    assert ids("folder=runbooks") == [foldered.id]
    assert ids("q=kubernetes") == [found.id]
    assert ids(f"teamId={team.id}") == [in_team.id]


def test_paging_headers_total_count_and_link_rels(client, user):
    bulk_pages(user, 45)
    r = client.get("/api/pages?limit=20&offset=20&tag=")
    assert r.status_code == 200
    assert len(r.json()) == 20
    assert r["X-Total-Count"] == "45"
    rels = links(r)
    assert set(rels) == {"first", "prev", "next", "last"}
    assert (rels["first"]["offset"], rels["prev"]["offset"], rels["next"]["offset"], rels["last"]["offset"]) == (
        "0", "0", "40", "40")
    assert all(v["limit"] == "20" and v["path"] == "/api/pages" for v in rels.values())


def test_link_on_first_and_last_windows_omits_prev_and_next(client, user):
    bulk_pages(user, 5)
    first = links(client.get("/api/pages?limit=2"))
    assert "prev" not in first and first["next"]["offset"] == "2" and first["last"]["offset"] == "4"
    last = links(client.get("/api/pages?limit=2&offset=4"))
    assert "next" not in last and last["prev"]["offset"] == "2"


def test_link_keeps_filters(client, user):
    bulk_pages(user, 3, folder="ops")
    rels = links(client.get("/api/pages?folder=ops&limit=1"))
    assert rels["next"]["folder"] == "ops"


def test_default_limit_is_20_and_limit_is_clamped_at_100(client, user):
    bulk_pages(user, 105)
    assert len(client.get("/api/pages").json()) == 20
    r = client.get("/api/pages?limit=1000")
    assert r.status_code == 200
    assert len(r.json()) == 100
    assert r["X-Total-Count"] == "105"
    assert links(r)["next"]["limit"] == "100"


def test_offset_past_the_end_is_an_empty_array(client, user):
    bulk_pages(user, 2)
    r = client.get("/api/pages?offset=50")
    assert r.status_code == 200 and r.json() == [] and r["X-Total-Count"] == "2"


def test_empty_database_lists_nothing_with_links(client, db):
    r = client.get("/api/pages")
    assert r.json() == [] and r["X-Total-Count"] == "0" and "first" in links(r)


@pytest.mark.parametrize("query, field", [
    ("limit=abc", "limit"), ("limit=0", "limit"), ("limit=-5", "limit"), ("offset=-1", "offset"),
    ("offset=x", "offset"), ("teamId=abc", "teamId"), ("teamId=0", "teamId"),
    ("teamId=99999999999999999999", "teamId"), ("q=" + "x" * 201, "q"), ("tag=" + "t" * 51, "tag"),
    ("q=a%00b", "q"), ("tag=%00", "tag"), ("folder=x%00", "folder"), ("limit=1e3", "limit"),
])
def test_bad_list_params_are_400_with_field_errors(client, db, query, field):
    r = client.get("/api/pages?" + query)
    assert r.status_code == 400, r.content
    assert field in r.json()["errors"]
    assert r.json()["message"]


def test_detail_returns_the_page(client, user, page_of):
    page = page_of(user, "Read me", content="Body", tags=["x"])
    r = client.get(f"/api/pages/{page.id}", content_type="application/json")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == page.id and body["title"] == "Read me" and body["content"] == "Body"
    assert body["slug"] == "read-me" and body["tags"] == ["x"] and PAGE_KEYS <= set(body)


def test_detail_of_a_team_page_is_403_for_anonymous_and_non_members(client, login, user, other, team_of, page_of):
    page = page_of(user, "Secret", team=team_of(user))
    for caller in (client, login(other)):
        r = caller.get(f"/api/pages/{page.id}")
        assert r.status_code == 403
        assert r.json()["message"]
        assert "Secret" not in r.content.decode()


def test_detail_of_a_team_page_is_200_for_members_and_staff(login, user, other, team_of, page_of, staff):
    page = page_of(user, "Secret", team=team_of(user, other))
    assert login(other).get(f"/api/pages/{page.id}").status_code == 200
    assert login(staff).get(f"/api/pages/{page.id}").status_code == 200


@pytest.mark.parametrize("path", [
    "/api/pages/424242", "/api/pages/99999999999999999999", "/api/pages/abc", "/api/pages/-1",
    "/api/pages/1.5", "/api/pages/%FF", "/api/pages/1%00", "/api/nothing-here",
])
def test_unknown_ids_and_paths_are_json_404(client, db, path):
    r = client.get(path)
    assert r.status_code == 404, r.content
    assert r.json()["message"]


def test_deleted_page_is_404(client, user, page_of):
    page = page_of(user)
    services.page_delete(page=page)
    assert client.get(f"/api/pages/{page.id}").status_code == 404


def test_the_lean_page_representation_is_drfs(user, make_user, team_of, page_of):
    """PageSerializer.to_representation, hand-written for speed, equals DRF's generic walk."""
    from datetime import datetime, timedelta, timezone

    from rest_framework import serializers as drf

    from papyrus.wiki.serializers import PageSerializer

    team = team_of(user)
    page = page_of(make_user(name="Zoë"), "Ünïcode title", content="x", tags=["a", "b"], team=team)
    page.updated_at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=9)))
    lean = PageSerializer(page).data
    generic = drf.ModelSerializer.to_representation(PageSerializer(page), page)
    assert dict(lean) == dict(generic)
    assert lean["updatedAt"] == "2026-01-01T18:04:05.678901Z" and lean["teamId"] == team.id


def test_link_carries_only_the_validated_parameters(client, user, page_of):
    """Issue 28.2: an unknown parameter is not echoed back (it made the header outgrow nginx's buffer)."""
    page_of(user, "One", tags=["ops"])
    r = client.get("/api/pages?junk=" + "j" * 1500 + "&tag=ops&limit=1&q=")
    assert r.status_code == 200
    assert "junk" not in r["Link"] and len(r["Link"]) < 400
    assert links(r)["first"] == {"tag": "ops", "limit": "1", "offset": "0", "path": "/api/pages"}


def test_the_longest_link_fits_both_nginx_configs_proxy_buffer(rf, settings):
    """Every filter at its longest in 4-byte characters (12 bytes each, percent-encoded), four links,
    a 253-byte host: the Link header stays well within proxy_buffer_size of the shipped
    deploy/nginx/nginx.conf and of make run's (a larger upstream header is nginx's 502)."""
    host = "h" * 241 + ".example.com"
    settings.ALLOWED_HOSTS = [host]
    widest = "\U0001F600"
    params = {"q": widest * 200, "tag": widest * 50, "folder": widest * 100, "teamId": 2**63 - 1,
              "limit": 1, "offset": 10**9 - 1}
    header = api._link_header(rf.get("/api/pages", HTTP_HOST=host), params=params,
                              total=10**9 + 1)
    assert header.count("rel=") == 4 and len(header) > 12_000

    def buffer_bytes(text):
        size = re.search(r"proxy_buffer_size\s+(\d+)k;", text)
        assert size, "proxy_buffer_size is not set"
        return int(size.group(1)) * 1024

    shipped = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    # room for the other headers (a few hundred bytes) and then some
    assert 1.5 * len(header) < buffer_bytes(shipped) and 1.5 * len(header) < buffer_bytes(run.NGINX_CONF)
