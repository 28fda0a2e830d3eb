"""Scoped invalidation: a page write drops only what it changed; invalidate_everything() drops everything."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papyrus.wiki import cache, services



pytestmark = pytest.mark.usefixtures("caching")  # every test here reads with response caching on


def served(client, url):
    """(response, number of SQL queries it took)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def test_a_team_page_write_keeps_anonymous_reads_cached(client, user, team_of, page_of, write):
    public = page_of(user, "Zebra public", content="zebra")
    team = team_of(user)
    anonymous = ["/api/pages", f"/api/pages/{public.id}", "/api/search?q=zebra"]
    for url in anonymous:
        assert served(client, url)[0].status_code == 200
    created = write(services.page_create, author=user, title="Zebra team", content="zebra", team=team)
    write(services.page_update, page=created, editor=user, content="zebra again")
    write(services.page_delete, page=created)
    for url in anonymous:
        response, queries = served(client, url)
        assert response.status_code == 200 and queries == 0, url


def test_a_page_write_keeps_other_pages_cached_and_drops_its_own(client, user, page_of, write):
    first, second = page_of(user, "First"), page_of(user, "Second")
    for page in (first, second):
        served(client, f"/api/pages/{page.id}")
    write(services.page_update, page=first, editor=user, title="First, renamed")
    response, queries = served(client, f"/api/pages/{first.id}")
    assert response.json()["title"] == "First, renamed" and queries > 0
    assert served(client, f"/api/pages/{second.id}")[1] == 0
    assert [p["title"] for p in client.get("/api/pages").json()] == ["Second", "First, renamed"]


def test_a_team_page_write_reaches_members_and_staff_lists(login, user, other, make_user, team_of, page_of,
                                                           write):
    team = team_of(user, other)
    page = page_of(user, "Team zebra", content="zebra", team=team)
    bob = login(other)
    staff = login(make_user(is_staff=True))
    for reader in (bob, staff):
        assert [p["title"] for p in reader.get("/api/pages").json()] == ["Team zebra"]
        assert [p["title"] for p in reader.get("/api/search?q=zebra").json()] == ["Team zebra"]
        assert reader.get(f"/api/pages/{page.id}").json()["title"] == "Team zebra"
    write(services.page_update, page=page, editor=user, title="Team zebra v2")
    for reader in (bob, staff):
        assert [p["title"] for p in reader.get("/api/pages").json()] == ["Team zebra v2"]
        assert [p["title"] for p in reader.get("/api/search?q=zebra").json()] == ["Team zebra v2"]
        assert reader.get(f"/api/pages/{page.id}").json()["title"] == "Team zebra v2"
    write(services.page_delete, page=page)
    for reader in (bob, staff):
        assert reader.get("/api/pages").json() == []
        assert reader.get(f"/api/pages/{page.id}").status_code == 404


def test_a_cached_page_still_checks_who_reads_it(client, login, user, other, team_of, page_of):
    team = team_of(user)
    secret = page_of(user, "Secret", team=team)
    assert login(user).get(f"/api/pages/{secret.id}").status_code == 200  # cached now
    assert login(other).get(f"/api/pages/{secret.id}").status_code == 403
    assert client.get(f"/api/pages/{secret.id}").status_code == 403
    from papyrus.wiki.models import Membership
    Membership.objects.create(team=team, user=other)
    assert login(other).get(f"/api/pages/{secret.id}").status_code == 200


def test_invalidate_everything_makes_every_entry_stale(client, user, page_of):
    page = page_of(user, "Zebra", content="zebra")
    urls = ["/api/pages", f"/api/pages/{page.id}", "/api/search?q=zebra"]
    for url in urls:
        served(client, url)
    assert all(served(client, url)[1] == 0 for url in urls)
    for url in urls:  # one at a time: a list computed anew refills its pages' entries
        cache.invalidate_everything()
        assert served(client, url)[1] > 0, url


def test_a_value_computed_across_a_write_is_not_served_afterwards(client, user, page_of, write):
    """A reader that computed from pre-write data stores it under the pre-write stamp."""
    page = page_of(user, "Before")
    real = cache.pages.get_or_set

    def racing(parts, compute, *, scopes=()):
        def compute_then_write():
            value = compute()  # read before the write commits...
            write(services.page_update, page=page, editor=user, title="After")  # ...commits here
            return value
        return real(parts, compute_then_write, scopes=scopes)

    cache.pages.get_or_set = racing
    try:
        assert client.get(f"/api/pages/{page.id}").json()["title"] == "Before"
    finally:
        cache.pages.get_or_set = real
    assert client.get(f"/api/pages/{page.id}").json()["title"] == "After"
