"""Reads. Every query here returns only what `user` may read."""
import functools
import hashlib
import re
import secrets
from datetime import UTC, datetime
from html import escape

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q, QuerySet

from .models import Membership, Page, PageRevision, Team
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


def page_window(*, user, q: str = "", tag: str = "", folder: str = "", team_id: int | None = None,
                offset: int, limit: int) -> tuple[list[int], int]:
    """page_list's window as (the ids of its pages, newest first; how many pages the list has), in
    one statement with the total beside each row: the API's list composes its body from each
    page's cached representation (cache.page_representations), so only ids cross the wire here."""
    qn = connection.ops.quote_name
    where, params = ["p.deleted_at IS NULL"], []
    if not (user.is_authenticated and user.is_staff):
        where.append("(p.team_id IS NULL OR p.team_id = ANY(%s))")
        params.append(list(team_ids_of(user)))
    if q:  # page_list's SearchQuery(q, config="english", search_type="websearch")
        where.append("p.search_vector @@ websearch_to_tsquery('english'::regconfig, %s)")
        params.append(q)
    if tag:
        where.append("p.tags @> %s::varchar(50)[]")
        params.append([tag])
    if folder:
        where.append("p.folder = %s")
        params.append(folder)
    if team_id is not None:
        where.append("p.team_id = %s")
        params.append(team_id)
    condition = " AND ".join(where)
    table = qn(Page._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, count(*) OVER () FROM {table} p WHERE {condition} "  # nosec B608  # fixed fragments; values are parameters
                       "ORDER BY p.created_at DESC, p.id DESC LIMIT %s OFFSET %s", [*params, limit, offset])
        rows = cursor.fetchall()
        if rows or not offset:
            return [row[0] for row in rows], rows[0][1] if rows else 0
        cursor.execute(f"SELECT count(*) FROM {table} p WHERE {condition}", params)  # nosec B608  # past the end
        return [], cursor.fetchone()[0]


def pages_by_id(ids: list[int]) -> dict[int, Page]:
    """The pages with these ids, deleted or not (the caller read the ids from a list of live ones),
    their authors (id and name) loaded: one prepared statement, as page_get."""
    with connection.cursor() as cursor:
        cursor.execute(_pages_by_id_sql(), [list(ids)])
        rows = cursor.fetchall()
    return {page.pk: page for page in map(_page_from_row, rows)}


def page_get(*, page_id: int, viewer=None) -> Page | None:
    """The live page with this id, whoever may read it (callers check permission), its author
    (id and name) loaded.

    With a signed-in, non-staff `viewer`, the page carries `viewer_role`: their role in the
    page's team (None: not a member), fetched in the same query for permissions.py. Every
    page request runs this: one prepared statement and Model.from_db, ~7× less CPU than the
    ORM query it replaces (compiling a select_related + subquery queryset each time);
    search_vector is not loaded.
    """
    with_role = viewer is not None and viewer.is_authenticated and not viewer.is_staff
    with connection.cursor() as cursor:
        cursor.execute(_page_get_sql(), [viewer.pk if with_role else None, page_id])
        row = cursor.fetchone()
    if row is None:
        return None
    page = _page_from_row(row)
    if with_role:
        page.viewer_role = row[len(_page_fields()) + 1]
    return page


def _page_from_row(row) -> Page:
    """A page from the columns of _page_columns() and its author's name after them."""
    fields, db = _page_fields(), connection.alias
    page = Page.from_db(db, [f.attname for f in fields], row[:len(fields)])
    author_model = Page._meta.get_field("author").related_model
    page.author = author_model.from_db(db, ["id", "name"], [page.author_id, row[len(fields)]])
    return page


def _page_fields():
    return [f for f in Page._meta.concrete_fields if f.name != "search_vector"]


@functools.cache
def _page_get_sql() -> str:
    qn = connection.ops.quote_name
    membership = Membership._meta
    return (
        f"SELECT {_page_columns()}, "
        f"(SELECT m.{qn('role')} FROM {qn(membership.db_table)} m "
        f"WHERE m.{qn('team_id')} = p.{qn('team_id')} AND m.{qn('user_id')} = %s LIMIT 1) "
        f"{_page_from()} WHERE p.{qn('id')} = %s AND p.{qn('deleted_at')} IS NULL"  # nosec B608  # model names, quoted; values are parameters
    )


@functools.cache
def _pages_by_id_sql() -> str:
    return f"SELECT {_page_columns()} {_page_from()} WHERE p.{connection.ops.quote_name('id')} = ANY(%s)"  # nosec B608  # as above


def _page_columns() -> str:
    """The page's columns (search_vector aside), then its author's name."""
    qn = connection.ops.quote_name
    name = Page._meta.get_field("author").related_model._meta.get_field("name").column
    return ", ".join([*(f"p.{qn(f.column)}" for f in _page_fields()), f"u.{qn(name)}"])


def _page_from() -> str:
    qn = connection.ops.quote_name
    author = Page._meta.get_field("author").related_model._meta
    return (f"FROM {qn(Page._meta.db_table)} p "  # nosec B608  # model names, quoted
            f"JOIN {qn(author.db_table)} u ON u.{qn(author.pk.column)} = p.{qn('author_id')}")


def page_search(*, user, q: str, limit: int) -> list[dict]:
    """Full-text search, weighted title > tags > content, best rank first (see _ranked)."""
    return _ranked(user=user, query=SearchQuery(q, config="english", search_type="websearch"), limit=limit)


def _ranked(*, user, query, limit: int) -> list[dict]:
    """Readable pages matching `query`, best rank first, {id, title, slug, snippet, rank}.

    `snippet` is HTML: the page's text escaped, highlights as <mark>. ts_headline marks hits with
    random sentinels (no page can contain them) that become <mark> only after escaping.
    The statement is written out (the ORM's compiled one also fetched every page's content,
    search_vector and author row, and compiling it cost more CPU than running it); `query` —
    a SearchQuery, combined or not — is compiled by the ORM.
    """
    start, stop = f"hlstart{secrets.token_hex(8)}", f"hlstop{secrets.token_hex(8)}"
    compiler = Page.objects.all().query.get_compiler(connection=connection)
    tsquery, tsparams = compiler.compile(query.resolve_expression(compiler.query))
    where, params = ["p.deleted_at IS NULL"], []
    if not (user.is_authenticated and user.is_staff):
        where.append("(p.team_id IS NULL OR p.team_id = ANY(%s))")
        params.append(list(team_ids_of(user)))
    options = f"StartSel='{start}', StopSel='{stop}', MaxWords=30, MinWords=10"  # SearchHeadline's string
    sql = (f"SELECT p.id, p.title, p.slug, ts_headline('english'::regconfig, p.content, {tsquery}, %s), "  # nosec B608  # compiled expressions; values are parameters
           f"ts_rank(p.search_vector, {tsquery}) AS rank FROM {connection.ops.quote_name(Page._meta.db_table)} p "
           f"WHERE {' AND '.join(where)} AND p.search_vector @@ ({tsquery}) ORDER BY rank DESC, p.id DESC LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*tsparams, options, *tsparams, *params, *tsparams, limit])
        rows = cursor.fetchall()
    return [{"id": pk, "title": title, "slug": slug, "snippet": _highlighted(snippet, start, stop),
             "rank": round(rank, 6)} for pk, title, slug, snippet, rank in rows]


def _highlighted(snippet: str, start: str, stop: str) -> str:
    return escape(snippet).replace(start, "<mark>").replace(stop, "</mark>")


def team_list(*, user) -> list[Team]:
    """`user`'s teams, each with their `role` in it, by name: one written-out statement (compiling
    the ORM's join and annotation cost more CPU than running it)."""
    with connection.cursor() as cursor:
        cursor.execute(_team_list_sql(), [user.pk])
        rows = cursor.fetchall()
    teams = []
    for pk, name, created_at, role in rows:
        team = Team.from_db(connection.alias, ["id", "name", "created_at"], [pk, name, created_at])
        team.role = role
        teams.append(team)
    return teams


@functools.cache
def _team_list_sql() -> str:
    qn, team, membership = connection.ops.quote_name, Team._meta, Membership._meta
    return (f"SELECT t.{qn('id')}, t.{qn('name')}, t.{qn('created_at')}, m.{qn('role')} "  # nosec B608  # model names, quoted
            f"FROM {qn(team.db_table)} t JOIN {qn(membership.db_table)} m ON m.{qn('team_id')} = t.{qn('id')} "
            f"WHERE m.{qn('user_id')} = %s ORDER BY t.{qn('name')}, t.{qn('id')}")


# --- Versions (ETag / edit conflicts) ---------------------------------------------------------

def page_version(*, page_id: int, updated_at: datetime) -> str:
    """An opaque token that changes with every write: the API's ETag, the editor's base version."""
    stamp = f"{page_id}:{updated_at.astimezone(UTC).isoformat()}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:20]


# --- Revisions -------------------------------------------------------------------------------

def page_revision_list(*, page: Page) -> QuerySet[PageRevision]:
    """The page's revisions, newest first (each holds the state an update replaced)."""
    return page.revisions.select_related("edited_by").order_by("-number")


def page_revision_get(*, page: Page, number: int) -> PageRevision | None:
    return page.revisions.select_related("edited_by").filter(number=number).first()


# --- Search as you type ----------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+")
STEM_SLACK = 5  # a stem drops at most this many letters of the word it comes from ("-ation")


def _last_word_prefixes(word: str) -> str:
    """tsquery text matching lexemes that start with `word`, or that `word` starts with (the
    stored lexeme is a stem: typing "deploym" must still find "deployment", stored as "deploy")."""
    word = word.lower()
    shorter = [word[:n] for n in range(len(word) - 1, max(3, len(word) - STEM_SLACK - 1), -1)]
    return " | ".join([f"{word}:*", *shorter])


def as_you_type_query(q: str) -> SearchQuery | None:
    """Every word but the last as /api/search reads it; the last as a prefix. None when no word.

    Only letters and digits reach to_tsquery, so its operators cannot be injected.
    """
    words = WORD.findall(q)[:12]
    if not words:
        return None
    last = (SearchQuery(words[-1], config="english", search_type="plain")
            | SearchQuery(_last_word_prefixes(words[-1]), config="simple", search_type="raw"))
    if len(words) == 1:
        return last
    return SearchQuery(" ".join(words[:-1]), config="english", search_type="plain") & last


def page_search_as_you_type(*, user, q: str, limit: int) -> list[dict]:
    """The /api/search ranking and headline (snippet HTML-escaped, hits in <mark>), with prefix
    matching on the last word."""
    query = as_you_type_query(q)
    return [] if query is None else _ranked(user=user, query=query, limit=limit)
