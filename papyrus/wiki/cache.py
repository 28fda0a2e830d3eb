"""Response caching for page list, page read and search (SPEC §5.5), on ops.cache.

A page write drops only what it changed, for every process at once (ops.cache.namespace scopes):

- a page read is cached once per page (whoever reads it: the permission check runs on every
  request, from the cached `teamId`) under the scope "page:<id>"; a list computed anew reads
  its window's ids from the database and each page's representation from these entries;
- lists and searches are cached per *visibility* — every anonymous caller shares one entry,
  every caller with the same set of teams another, staff a third — under the scopes of the
  pages that visibility can see: "public" (team-less pages), "team:<id>" per team, "all" (staff);
- a write (`page_changed`, sent after commit by services.py for the API, admin and any other
  caller) bumps its page, its team's scope (or "public") and "all". A write to a team's page
  leaves anonymous lists, other teams' lists and every other page's entry current.

User changes (author names appear in pages) and `invalidate_everything()` (e.g. after a database
restore) make every entry stale. A read after a write never returns stale data through any process.
"""
from __future__ import annotations

from functools import wraps

from rest_framework.response import Response

from ops.cache.namespace import VersionedNamespace

from .permissions import team_ids_of
from .serializers import PageSerializer

pages = VersionedNamespace("wiki", ttl=300)

CACHED_HEADERS = ("X-Total-Count", "Link")
PUBLIC = "public"
ALL = "all"


def invalidate_everything() -> bool:
    """Make every cached page, list and search stale in every process (after a database restore,
    or anything else that changes pages without services.py); False if Redis failed."""
    return pages.invalidate() is not None


def page_scope(page_id: int) -> str:
    return f"page:{page_id}"


def team_scope(team_id: int | None) -> str:
    return PUBLIC if team_id is None else f"team:{team_id}"


def visibility(user) -> tuple[str, list[str]]:
    """What `user` may read, as (a key, the scopes of the pages it covers)."""
    if not user.is_authenticated:
        return "anon", [PUBLIC]
    if user.is_staff:
        return "staff", [ALL]
    teams = sorted(team_ids_of(user))
    return "teams:" + ",".join(map(str, teams)), [PUBLIC, *map(team_scope, teams)]


def cached_response(view_method):
    """Cache a DRF GET handler's 200 response (data and paging headers) by URL and visibility.

    Errors (404, 403, 400) are raised by the handler and never cached.
    """
    @wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        def compute():
            response = view_method(view, request, *args, **kwargs)
            return {"data": response.data,
                    "headers": {h: response[h] for h in CACHED_HEADERS if response.has_header(h)}}

        key, scopes = visibility(request.user)
        parts = (view_method.__qualname__, key, request.build_absolute_uri())
        cached = pages.get_or_set(parts, compute, scopes=scopes)
        return Response(cached["data"], headers=cached["headers"])

    return wrapper


def cached_page(page_id: int, compute):
    """One page's representation (`compute()`, which raises for a missing page), shared by every
    reader; valid until that page is written."""
    return pages.get_or_set(page_entry(page_id), compute, scopes=[page_scope(page_id)])


def page_representations(ids: list[int], fetch) -> list[dict]:
    """Each page's representation, in the order of `ids` (pages a list just read, live): the
    entries cached_page shares, all looked up in one MGET; the missing ones from one
    `fetch(ids)` ({id: Page}, soft-deleted ones included) and stored — unless deleted meanwhile."""
    values, store = pages.peek_many([(page_entry(i), [page_scope(i)]) for i in ids])
    missing = [n for n, value in enumerate(values) if value is None]
    if not missing:
        return values
    fetched = fetch([ids[n] for n in missing])
    computed = {n: PageSerializer(fetched[ids[n]]).data for n in missing if ids[n] in fetched}
    if store is not None:
        store({n: data for n, data in computed.items() if fetched[ids[n]].deleted_at is None})
    # a row gone since the window was read (a database restore) is left out, as a later read would
    return [value if value is not None else computed[n] for n, value in enumerate(values)
            if value is not None or n in computed]


def page_entry(page_id: int) -> tuple:
    return ("page", page_id)


def invalidate_on_page_change(sender, page, event="", **kwargs):
    if event == "page.created":  # also store the new page's entry: its creator reads it next

        pages.invalidate_new(page_scope(page.pk), team_scope(page.team_id), ALL, parts=page_entry(page.pk),
                             value=PageSerializer(page).data)
    else:
        pages.invalidate(page_scope(page.pk), team_scope(page.team_id), ALL)


def invalidate_on_user_change(sender, created=False, update_fields=None, **kwargs):
    # A new user appears in no cached page; a login only touches last_login (and a rehash the password).
    if created or (update_fields and set(update_fields) <= {"last_login", "password"}):
        return
    invalidate_everything()
