"""GET /api/search: PostgreSQL full-text, weighted title > tags > content."""
import pytest

from papyrus.wiki import services


def search(client, query):
    r = client.get("/api/search?" + query, content_type="application/json")
    assert r.status_code == 200, r.content
    assert isinstance(r.json(), list)
    return r.json()


def test_a_title_hit_ranks_above_a_body_hit(client, user, page_of):
    body_hit = page_of(user, "Cluster notes", content="How we run kubernetes in production.")
    title_hit = page_of(user, "Kubernetes", content="Nothing else to see.")
    results = search(client, "q=kubernetes")
    assert [r["id"] for r in results] == [title_hit.id, body_hit.id]
    assert results[0]["rank"] > results[1]["rank"]


def test_a_tag_hit_ranks_between_title_and_body(client, user, page_of):
    body = page_of(user, "One", content="the word grafana appears here")
    tag = page_of(user, "Two", content="nothing", tags=["grafana"])
    title = page_of(user, "Grafana", content="nothing")
    assert [r["id"] for r in search(client, "q=grafana")] == [title.id, tag.id, body.id]


def test_results_have_id_title_slug_snippet_rank(client, user, page_of):
    page = page_of(user, "Backups", content="Restore drills run monthly against a scratch database.")
    [hit] = search(client, "q=drills")
    assert set(hit) == {"id", "title", "slug", "snippet", "rank"}
    assert (hit["id"], hit["title"], hit["slug"]) == (page.id, "Backups", "backups")
    assert "<mark>drills</mark>" in hit["snippet"] and isinstance(hit["rank"], float)


def test_websearch_syntax_is_understood(client, user, page_of):
    both = page_of(user, "Redis sentinel", content="failover")
    page_of(user, "Redis cluster", content="slots")
    assert [r["id"] for r in search(client, "q=redis+-cluster")] == [both.id]
    assert [r["id"] for r in search(client, 'q="redis sentinel"')] == [both.id]


@pytest.mark.parametrize("query", ["q=", "", "q=+++", "q=%20%09"])
def test_empty_query_is_an_empty_array(client, user, page_of, query):
    page_of(user, "Anything")
    assert search(client, query) == []


@pytest.mark.parametrize("q", ["test", "the", "!!!", "'", "&|!()", "a:*", "<script>", "\\", "OR", "-", '"'])
def test_odd_queries_are_answered(client, user, page_of, q):
    page_of(user, "A test page")
    assert isinstance(search(client, "q=" + q.replace("&", "%26").replace("\\", "%5C")), list)


def test_anonymous_search_skips_team_and_deleted_pages(client, login, user, other, team_of, page_of):
    public = page_of(user, "Deploy checklist")
    secret = page_of(user, "Deploy secrets", team=team_of(user, other))
    gone = page_of(user, "Deploy old")
    services.page_delete(page=gone)
    assert [r["id"] for r in search(client, "q=deploy")] == [public.id]
    assert {r["id"] for r in search(login(other), "q=deploy")} == {public.id, secret.id}


def test_limit_is_applied_and_clamped(client, user, page_of):
    for i in range(3):
        page_of(user, f"Limit {i}")
    assert len(search(client, "q=limit&limit=2")) == 2
    assert len(search(client, "q=limit&limit=1000")) == 3


@pytest.mark.parametrize("query, field", [
    ("q=x&limit=abc", "limit"), ("q=x&limit=0", "limit"), ("q=" + "x" * 201, "q"), ("q=a%00b", "q"),
])
def test_bad_search_params_are_400(client, db, query, field):
    r = client.get("/api/search?" + query)
    assert r.status_code == 400 and field in r.json()["errors"]
