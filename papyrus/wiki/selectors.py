"""Reads. Every query here returns only what `user` may read."""
import secrets
from html import escape

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet

from .models import Page, Team
from .permissions import team_ids_of


def page_readable(*, user) -> QuerySet[Page]:
    pages = Page.objects.alive().select_related("author")
    if user.is_authenticated and user.is_staff:
        return pages
    return pages.filter(Q(team__isnull=True) | Q(team_id__in=team_ids_of(user)))


def page_list(*, user, q: str = "", tag: str = "", folder: str = "", team_id: int | None = None) -> QuerySet[Page]:
    pages = page_readable(user=user)
    if q:
        pages = pages.filter(search_vector=SearchQuery(q, config="english", search_type="websearch"))
    if tag:
        pages = pages.filter(tags__contains=[tag])
    if folder:
        pages = pages.filter(folder=folder)
    if team_id is not None:
        pages = pages.filter(team_id=team_id)
    return pages.order_by("-created_at", "-id")


def page_get(*, page_id: int) -> Page | None:
    """The live page with this id, whoever may read it (callers check permission)."""
    return Page.objects.alive().select_related("author").filter(pk=page_id).first()


def page_search(*, user, q: str, limit: int) -> list[dict]:
    """Full-text search, weighted title > tags > content, best rank first.

    `snippet` is HTML: the page's text escaped, highlights as <mark>. ts_headline marks hits with
    random sentinels (no page can contain them) that become <mark> only after escaping.
    """
    query = SearchQuery(q, config="english", search_type="websearch")
    start, stop = f"hlstart{secrets.token_hex(8)}", f"hlstop{secrets.token_hex(8)}"
    pages = (
        page_readable(user=user)
        .filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            snippet=SearchHeadline("content", query, config="english", max_words=30, min_words=10,
                                   start_sel=start, stop_sel=stop),
        )
        .order_by("-rank", "-id")[:limit]
    )
    return [{"id": p.pk, "title": p.title, "slug": p.slug, "snippet": _highlighted(p.snippet, start, stop),
             "rank": round(p.rank, 6)} for p in pages]


def _highlighted(snippet: str, start: str, stop: str) -> str:
    return escape(snippet).replace(start, "<mark>").replace(stop, "</mark>")


def team_list(*, user) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user).annotate(role=F("memberships__role")).order_by("name", "id")
