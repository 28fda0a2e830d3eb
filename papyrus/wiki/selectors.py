"""Reads. Every query here returns only what `user` may read."""
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from .models import Membership, Page, Team
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


def page_get(*, page_id: int, viewer=None) -> Page | None:
    """The live page with this id, whoever may read it (callers check permission).

    With a signed-in, non-staff `viewer`, the page carries `viewer_role`: their role in the
    page's team (None: not a member), fetched in the same query for permissions.py.
    """
    pages = Page.objects.alive().select_related("author").filter(pk=page_id)
    if viewer is not None and viewer.is_authenticated and not viewer.is_staff:
        role = Membership.objects.filter(team_id=OuterRef("team_id"), user=viewer).values("role")[:1]
        pages = pages.annotate(viewer_role=Subquery(role))
    return pages.first()


def page_search(*, user, q: str, limit: int) -> list[dict]:
    """Full-text search, weighted title > tags > content, best rank first."""
    query = SearchQuery(q, config="english", search_type="websearch")
    pages = (
        page_readable(user=user)
        .filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            snippet=SearchHeadline("content", query, config="english", max_words=30, min_words=10,
                                   start_sel="<mark>", stop_sel="</mark>"),
        )
        .order_by("-rank", "-id")[:limit]
    )
    return [{"id": p.pk, "title": p.title, "slug": p.slug, "snippet": p.snippet, "rank": round(p.rank, 6)}
            for p in pages]


def team_list(*, user) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user).annotate(role=F("memberships__role")).order_by("name", "id")
