"""The search statement is written out (selectors._ranked): it answers exactly what the ORM's
annotated queryset it replaced answers, for every reader and both query forms."""
import secrets

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F

from papyrus.wiki import selectors


def orm_ranked(*, user, query, limit):
    """The former implementation of selectors._ranked."""
    start, stop = f"hlstart{secrets.token_hex(8)}", f"hlstop{secrets.token_hex(8)}"
    pages = (selectors.page_readable(user=user).filter(search_vector=query)
             .annotate(rank=SearchRank(F("search_vector"), query),
                       snippet=SearchHeadline("content", query, config="english", max_words=30, min_words=10,
                                              start_sel=start, stop_sel=stop))
             .order_by("-rank", "-id")[:limit])
    return [{"id": p.pk, "title": p.title, "slug": p.slug, "snippet": selectors._highlighted(p.snippet, start, stop),
             "rank": round(p.rank, 6)} for p in pages]


@pytest.fixture
def pages(user, other, team_of, page_of):
    ours, theirs = team_of(user, name="Ours"), team_of(other, name="Theirs")
    words = "deployment deploy testing tests zebra <b>bold</b> & ampersands quotes ' \" émigré"
    for i in range(12):
        page_of(user if i % 2 else other, f"Deploy test {i}", content=" ".join(words.split()[i % 5:]) * (1 + i % 3),
                tags=["test"] if i % 3 else [], team=[None, ours, theirs][i % 3])
    page_of(user, "Same rank a", content="zebra")
    page_of(user, "Same rank b", content="zebra")


@pytest.mark.parametrize("q", ["test", "deploy", "zebra", "deploy -zebra", '"deployment testing"', "émigré",
                               "nothing-matches"])
def test_the_written_out_search_answers_what_the_orm_answered(pages, user, other, make_user, q):
    for reader in (AnonymousUser(), user, other, make_user(is_staff=True, email="staff@example.com")):
        for limit in (1, 3, 100):
            query = SearchQuery(q, config="english", search_type="websearch")
            assert selectors.page_search(user=reader, q=q, limit=limit) == orm_ranked(user=reader, query=query,
                                                                                    limit=limit), (reader, limit)


@pytest.mark.parametrize("q", ["dep", "deploym", "test ze", "émi"])
def test_the_as_you_type_search_answers_what_the_orm_answered(pages, user, q):
    assert selectors.page_search_as_you_type(user=user, q=q, limit=10) == orm_ranked(
        user=user, query=selectors.as_you_type_query(q), limit=10)
