"""Response caching of page list, page read and search: hits, visibility, invalidation on every write path."""
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from papyrus.wiki import services

from tests.support.live import free_port

READS = ["/api/pages", "/api/pages/{id}", "/api/search?q=zebra"]


pytestmark = pytest.mark.usefixtures("caching")  # every test here reads with response caching on


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response, len(captured)


def hits():
    return REGISTRY.get_sample_value(f"{settings.PROMETHEUS_PREFIX}cache_hits_total", {"cache": "wiki"}) or 0


@pytest.mark.parametrize("url", READS)
def test_a_repeated_anonymous_read_is_served_from_redis(client, user, page_of, url):
    page = page_of(user, "Zebra facts", content="zebra stripes")
    url = url.format(id=page.id)
    first, first_queries = queries(client, url)
    before = hits()
    second, second_queries = queries(client, url)
    assert first_queries > 0 and second_queries == 0
    assert second.json() == first.json()
    assert hits() == before + 1


def test_paging_headers_are_cached_with_the_list(client, user, page_of):
    for i in range(3):
        page_of(user, f"P{i}")
    first = client.get("/api/pages?limit=2")
    second = client.get("/api/pages?limit=2")
    assert second["X-Total-Count"] == first["X-Total-Count"] == "3"
    assert second["Link"] == first["Link"] and 'rel="next"' in second["Link"]


def test_entries_are_per_visibility(client, login, user, other, make_user, team_of, page_of):
    secret = page_of(user, "Secret zebra", team=team_of(user))
    public = page_of(user, "Public zebra")
    alice, bob = login(user), login(other)
    for _ in range(2):  # the second round is served from the cache
        assert {p["id"] for p in alice.get("/api/pages").json()} == {secret.id, public.id}
        assert [p["id"] for p in bob.get("/api/pages").json()] == [public.id]
        assert [p["id"] for p in client.get("/api/pages").json()] == [public.id]
        assert {p["id"] for p in alice.get("/api/search?q=zebra").json()} == {secret.id, public.id}
        assert [p["id"] for p in client.get("/api/search?q=zebra").json()] == [public.id]
        assert alice.get(f"/api/pages/{secret.id}").status_code == 200
        assert bob.get(f"/api/pages/{secret.id}").status_code == 403
        assert client.get(f"/api/pages/{secret.id}").status_code == 403


def test_joining_a_team_shows_its_pages_at_once(login, user, other, team_of, page_of):
    from papyrus.wiki.models import Membership

    team = team_of(user)
    secret = page_of(user, "Secret", team=team)
    bob = login(other)
    assert secret.id not in [p["id"] for p in bob.get("/api/pages").json()]
    Membership.objects.create(team=team, user=other)
    assert secret.id in [p["id"] for p in bob.get("/api/pages").json()]


def titles(client):
    return [p["title"] for p in client.get("/api/pages").json()]


def test_api_writes_invalidate(client, signed_in, user, page_of, write):
    page = page_of(user, "Zebra one", content="zebra")
    assert titles(client) == ["Zebra one"]
    r = write(signed_in.post, "/api/pages", {"title": "Zebra two", "content": "zebra"}, format="json")
    assert r.status_code == 201
    assert titles(client) == ["Zebra two", "Zebra one"]
    assert client.get(f"/api/pages/{page.id}").json()["title"] == "Zebra one"
    write(signed_in.patch, f"/api/pages/{page.id}", {"title": "Renamed"}, format="json")
    assert client.get(f"/api/pages/{page.id}").json()["title"] == "Renamed"
    assert "Renamed" in [p["title"] for p in client.get("/api/search?q=zebra").json()]
    write(signed_in.delete, f"/api/pages/{page.id}")
    assert client.get(f"/api/pages/{page.id}").status_code == 404
    assert titles(client) == ["Zebra two"]


def test_service_writes_invalidate(client, user, page_of, write):
    """Celery tasks, shell and management commands write through services.py too."""
    page = page_of(user, "Before")
    assert titles(client) == ["Before"]
    write(services.page_update, page=page, editor=user, title="After")
    assert titles(client) == ["After"]


def test_admin_writes_invalidate(client, user, page_of, write, make_user):
    page = page_of(user, "Admin before", content="body", tags=["a"])
    admin = Client()
    admin.force_login(make_user(name="Root", email="root@example.com", is_staff=True, is_superuser=True))
    assert client.get(f"/api/pages/{page.id}").json()["title"] == "Admin before"
    form = {"title": "Admin after", "content": "body", "tags": "a", "folder": page.folder, "author": user.id,
            "team": "", "revisions-TOTAL_FORMS": 0, "revisions-INITIAL_FORMS": 0,
            "revisions-MIN_NUM_FORMS": 0, "revisions-MAX_NUM_FORMS": 1000}
    r = write(admin.post, f"/admin/wiki/page/{page.id}/change/", form)
    assert r.status_code == 302
    assert client.get(f"/api/pages/{page.id}").json()["title"] == "Admin after"


def test_renaming_an_author_invalidates(client, user, page_of):
    page_of(user, "Authored")
    assert client.get("/api/pages").json()[0]["author"] == "Alice"
    user.name = "Alicia"
    user.save()
    assert client.get("/api/pages").json()[0]["author"] == "Alicia"


def test_errors_are_not_cached(client, user, page_of):
    assert client.get("/api/pages/999999").status_code == 404
    page = page_of(user, "Now here")
    assert client.get("/api/pages?limit=abc").status_code == 400
    assert client.get(f"/api/pages/{page.id}").status_code == 200


def test_redis_down_means_uncached_answers_not_errors(client, user, page_of):
    page = page_of(user, "Still served", content="zebra")
    dead = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    with override_settings(CACHES={"default": dead}):
        for _ in range(2):
            for url in READS:
                assert client.get(url.format(id=page.id)).status_code == 200
        assert client.get("/api/pages").json()[0]["title"] == "Still served"
