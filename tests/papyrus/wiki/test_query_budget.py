"""SQL queries per request, endpoint by endpoint: one more than the budget fails.

The budgets count every statement the request sends. A signed-in request's user and teams
come from Redis (papyrus.accounts.principal) once cached: the first request after sign-in
fills that cache, the ones counted here find it. Writes run in autocommit (transaction=True tests), as in production: no
BEGIN/COMMIT or savepoint round trips besides the statements counted here.
"""
import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from papyrus.wiki import cache, services

PAGE = {"title": "Budget page", "content": "Load testing content", "tags": ["k6", "test"]}


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def public(user, page_of):
    for i in range(3):
        page_of(user, f"Public test page {i}", content="test words")
    return page_of(user, "Newest test page", content="test words")


@pytest.mark.parametrize("url, budget", [
    ("/api/pages", 2),                   # the window's ids with the total, its pages (author joined)
    ("/api/pages/{id}", 1),              # the page, author joined
    ("/api/search?q=test&limit=10", 1),  # ranked, highlighted, author joined
])
def test_anonymous_reads_uncached(anon, public, django_assert_num_queries, url, budget):
    with django_assert_num_queries(budget):
        assert anon.get(url.format(id=public.id)).status_code == 200


@pytest.mark.parametrize("url", ["/api/pages", "/api/pages/{id}", "/api/search?q=test&limit=10"])
def test_anonymous_reads_cached_cost_no_query(anon, public, django_assert_num_queries, url):
    with override_settings(OPS_CACHE_RESPONSES=True):
        cache.invalidate_everything()
        anon.get(url.format(id=public.id))
        with django_assert_num_queries(0):
            assert anon.get(url.format(id=public.id)).status_code == 200


def test_a_members_cached_team_page_read(signed_in, user, team_of, page_of, django_assert_num_queries):
    page = page_of(user, "Team page", team=team_of(user))
    with override_settings(OPS_CACHE_RESPONSES=True):
        cache.invalidate_everything()
        signed_in.get(f"/api/pages/{page.id}")
        with django_assert_num_queries(0):  # the user and the membership: cached with the token's principal
            assert signed_in.get(f"/api/pages/{page.id}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_members_list_after_a_team_write_reads_only_ids(user, team_of, page_of, login, write,
                                                          django_assert_num_queries):
    """The client's list after its team write: the list entry is stale, its pages' entries are not."""
    team = team_of(user)
    for i in range(3):
        page_of(user, f"Public test page {i}")
    alice = login(user)
    assert alice.get("/api/auth/me").status_code == 200
    with override_settings(OPS_CACHE_RESPONSES=True):
        cache.invalidate_everything()
        with django_assert_num_queries(2):  # the window's ids with the total, its pages (stored)
            first = alice.get("/api/pages")
        write(services.page_create, author=user, title="Team page", team=team)
        with django_assert_num_queries(1):  # the window's ids with the total; every page from Redis
            after = alice.get("/api/pages")
        assert after.json()[1:] == first.json() and after.json()[0]["title"] == "Team page"
        with django_assert_num_queries(0):
            assert alice.get("/api/pages").content == after.content


@pytest.mark.django_db(transaction=True)
def test_the_k6_crud_iteration(user, team_of, login, django_assert_num_queries):
    """k6's Authenticated CRUD, request by request, as the guide's client sends it."""
    team = team_of(user)
    alice = login(user)
    assert alice.get("/api/auth/me").status_code == 200  # the first request caches the principal
    with django_assert_num_queries(1):  # INSERT (user and membership: the cached principal)
        created = alice.post("/api/pages", {**PAGE, "teamId": team.id}, format="json")
    assert created.status_code == 201, created.content
    url = f"/api/pages/{created.json()['id']}"
    with django_assert_num_queries(1):  # page with the reader's role in its team
        assert alice.get(url).status_code == 200
    with django_assert_num_queries(2):  # page with role, one UPDATE ... RETURNING (+ revision)
        assert alice.patch(url, {"content": "Updated"}, format="json").status_code == 200
    with django_assert_num_queries(2):  # page with role, UPDATE
        assert alice.delete(url).status_code == 204
    with django_assert_num_queries(1):  # page (absent)
        assert alice.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_created_page_is_cached_as_its_first_read_would_cache_it(user, team_of, login, django_assert_num_queries):
    """The create stores the new page's entry (in its invalidation's round trip): the creator's read
    that follows costs no query and answers exactly what the database read answers."""
    team = team_of(user)
    alice = login(user)
    assert alice.get("/api/auth/me").status_code == 200
    with override_settings(OPS_CACHE_RESPONSES=True):
        created = alice.post("/api/pages", {**PAGE, "teamId": team.id}, format="json")
        url = f"/api/pages/{created.json()['id']}"
        with django_assert_num_queries(0):
            cached = alice.get(url)
        assert cached.status_code == 200 and cached.json() == created.json()
        assert alice.patch(url, {"content": "Updated"}, format="json").status_code == 200
        with django_assert_num_queries(1):  # an update is not stored: read from the database again
            assert alice.get(url).json()["content"] == "Updated"
    with django_assert_num_queries(1):  # and the cached answer was the database's
        fresh = alice.get(url).json()
    assert {**cached.json(), "content": "Updated", "updatedAt": fresh["updatedAt"]} == fresh


@pytest.mark.django_db(transaction=True)
def test_a_public_page_write_by_its_author(user, login, django_assert_num_queries):
    alice = login(user)
    assert alice.get("/api/auth/me").status_code == 200  # the first request caches the principal
    with django_assert_num_queries(1):  # INSERT
        created = alice.post("/api/pages", PAGE, format="json")
    url = f"/api/pages/{created.json()['id']}"
    with django_assert_num_queries(2):  # page, UPDATE
        assert alice.patch(url, {"content": "Updated"}, format="json").status_code == 200
    with django_assert_num_queries(2):  # page, UPDATE
        assert alice.delete(url).status_code == 204


@pytest.mark.django_db(transaction=True)
def test_a_taken_slug_costs_one_look_up_and_another_insert(user, login, django_assert_num_queries):
    alice = login(user)
    alice.post("/api/pages", PAGE, format="json")
    with django_assert_num_queries(4):  # INSERT (taken), taken?, slugs like it, INSERT
        created = alice.post("/api/pages", PAGE, format="json")
    assert created.json()["slug"] == "budget-page-2"
