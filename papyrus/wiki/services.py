"""Writes. Views, admin and tasks call these; nothing else writes pages or teams."""
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Membership, Page, PageRevision, Team
from .selectors import page_version
from .signals import page_changed

EDITABLE_FIELDS = ("title", "content", "tags", "folder")


class StaleVersion(Exception):
    """The page changed since the version the writer started from (If-Match, the editor's base)."""

    def __init__(self, page: Page):
        super().__init__(f"page {page.pk} has changed")
        self.page = page  # the current, locked state: what the writer has to merge with


def _locked(page: Page) -> Page:
    """The live row of `page`, locked until the transaction ends; Page.DoesNotExist when deleted."""
    return Page.objects.alive().select_for_update().only("id", "updated_at").get(pk=page.pk)


def _check_version(page: Page, expected_version) -> None:
    """`expected_version`: None (no check), a version, or several (an If-Match list)."""
    if expected_version is None:
        return
    expected = {expected_version} if isinstance(expected_version, str) else set(expected_version)
    if page_version(page_id=page.pk, updated_at=page.updated_at) not in expected:
        raise StaleVersion(page)


def _emit(event: str, page: Page) -> None:
    transaction.on_commit(lambda: page_changed.send(sender=Page, event=event, page=page))


def _base_slug(title: str) -> str:
    return (slugify(title, allow_unicode=True) or "page")[:200].strip("-") or "page"


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = _base_slug(title)
    taken = Page.objects.filter(slug__startswith=base)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    taken = set(taken.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# The one INSERT of a new page, written out: Model.save() cost CPU building it on every create
# (docs/benchmarks.md, "Figures behind code choices"). Page has no save signals; version and
# search_vector as a raw INSERT leaves them (db_default 0, the trigger of migration 0002).
INSERT_SQL = """
INSERT INTO wiki_page (title, slug, content, tags, folder, author_id, team_id, created_at, updated_at)
VALUES (%(title)s, %(slug)s, %(content)s, %(tags)s, %(folder)s, %(author)s, %(team)s, %(now)s, %(now)s)
RETURNING id, version
"""


def _insert(page: Page) -> None:
    params = {"title": page.title, "slug": page.slug, "content": page.content, "tags": list(page.tags),
              "folder": page.folder, "author": page.author_id, "team": page.team_id, "now": timezone.now()}
    if connection.in_atomic_block:  # a caller's transaction: a failed INSERT must not abort it
        with transaction.atomic():
            row = _run_insert(params)
    else:  # autocommit: the INSERT alone, no BEGIN/COMMIT round trips
        row = _run_insert(params)
    page.pk, page.version = row
    page.created_at = page.updated_at = params["now"]
    page._state.adding, page._state.db = False, connection.alias


def _run_insert(params: dict) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, params)
        return cursor.fetchone()


def page_create(*, author, title: str, content: str = "", tags=None, folder: str = "docs",
                team: Team | None = None, team_id: int | None = None) -> Page:
    """One INSERT in the common case: the title's own slug is tried first, and only a taken
    slug costs a look-up of the taken ones (and another INSERT)."""
    page = Page(title=title, content=content, tags=list(tags or []), folder=folder or "docs", author=author,
                team=team, team_id=team.pk if team is not None else team_id)
    slug = _base_slug(title)
    for _ in range(5):  # a concurrent create may take the same slug; try the next one
        page.slug = slug
        try:
            _insert(page)
        except IntegrityError:
            if not Page.objects.filter(slug=slug).exists():
                raise  # not the slug: another constraint
            page.pk = None
            slug = _unique_slug(title)
            continue
        _emit("page.created", page)
        return page
    raise IntegrityError("could not allocate a unique slug")


# One statement, atomic by itself: lock the live row, keep its current state as revision
# number version + 1, apply the changes and return what the response needs. The trigger of
# migration 0002 refreshes search_vector. FOR UPDATE makes a concurrent update of the same
# page wait and then read this one's result (READ COMMITTED re-reads the locked row).
UPDATE_SQL = """
WITH old AS (
    SELECT id, title, content, tags, folder, version FROM wiki_page
    WHERE id = %(id)s AND deleted_at IS NULL FOR UPDATE
), revision AS (
    INSERT INTO wiki_pagerevision (page_id, number, title, content, tags, folder, edited_by_id, created_at)
    SELECT id, version + 1, title, content, tags, folder, %(editor)s, %(now)s FROM old
)
UPDATE wiki_page AS p SET {assignments}, version = old.version + 1, updated_at = %(now)s
FROM old WHERE p.id = old.id
RETURNING p.title, p.slug, p.content, p.tags, p.folder, p.version, p.updated_at
"""
RETURNED = ("title", "slug", "content", "tags", "folder", "version", "updated_at")


def page_update(*, page: Page, editor, expected_version=None, **changes) -> Page:
    """Apply `changes` (any of title, content, tags, folder), keeping a revision of the old state.

    One SQL statement (two more only when the title changes: the slug). `page` is updated in
    place from the row as written. Page.DoesNotExist when the page was deleted meanwhile.
    With `expected_version` (If-Match, the editor's base), the row is locked and checked first
    inside one transaction: StaleVersion unless it is still at that version.
    """
    if expected_version is not None:
        with transaction.atomic():
            _check_version(_locked(page), expected_version)
            return page_update(page=page, editor=editor, **changes)
    changes = {k: (list(v) if k == "tags" else v) for k, v in changes.items() if k in EDITABLE_FIELDS}
    if "title" in changes and changes["title"] != page.title:
        changes["slug"] = _unique_slug(changes["title"], exclude_pk=page.pk)
    params = {"id": page.pk, "editor": getattr(editor, "pk", None), "now": timezone.now(), **changes}
    assignments = ", ".join(f"{field} = %({field})s" for field in changes) or "title = old.title"
    with connection.cursor() as cursor:
        cursor.execute(UPDATE_SQL.format(assignments=assignments), params)
        row = cursor.fetchone()
    if row is None:
        raise Page.DoesNotExist(page.pk)
    for field, value in zip(RETURNED, row):
        setattr(page, field, value)
    _emit("page.updated", page)
    return page


DELETE_SQL = "UPDATE wiki_page SET deleted_at = %s WHERE id = %s AND deleted_at IS NULL"


def page_delete(*, page: Page, expected_version=None) -> None:
    """Soft delete, one UPDATE: the row stays, readers stop seeing it. `expected_version` as in
    page_update (then the row is locked and checked first, in one transaction)."""
    if expected_version is not None:
        with transaction.atomic():
            _check_version(_locked(page), expected_version)
            return page_delete(page=page)
    page.deleted_at = timezone.now()
    with connection.cursor() as cursor:  # a fixed statement: the ORM's update() compiles one per call
        cursor.execute(DELETE_SQL, [page.deleted_at, page.pk])
        deleted = cursor.rowcount
    if deleted:  # else a concurrent delete won, and announced it
        _emit("page.deleted", page)


def page_revision_restore(*, page: Page, revision: PageRevision, editor, expected_version=None) -> Page:
    """Make `revision`'s state the page's state as a new update: the current state is kept as
    the next revision, nothing is overwritten."""
    return page_update(page=page, editor=editor, expected_version=expected_version,
                       **{field: getattr(revision, field) for field in EDITABLE_FIELDS})


@transaction.atomic
def team_create(*, owner, name: str) -> Team:
    team = Team.objects.create(name=name)
    Membership.objects.create(team=team, user=owner, role=Membership.Role.OWNER)
    return team


@transaction.atomic
def page_restore_from_backup(*, cursor, page_ids=(), folder: str = "", source: str, editor=None) -> dict:
    """Bring pages back from a backup opened at `cursor` (a scratch database, never the live one).

    Each page's title, content, tags and folder from the backup become a new revision of the live
    page (today's state is kept as the revision before it; a soft-deleted page comes back). Pages
    not in the live database any more are reported as missing, not recreated.
    """
    cursor.execute("SELECT id, title, content, tags, folder FROM public.wiki_page "
                   "WHERE id = ANY(%s) OR (%s <> '' AND folder = %s) ORDER BY id", (list(page_ids), folder, folder))
    found = cursor.fetchall()
    absent = sorted(set(page_ids) - {row[0] for row in found})
    if absent:
        raise ValueError(f"page(s) {absent} are not in backup {source}")
    restored, missing = [], []
    for pk, title, content, tags, page_folder in found:
        page = Page.objects.filter(pk=pk).first()
        if page is None:
            missing.append(pk)
            continue
        if page.deleted_at:
            Page.objects.filter(pk=pk).update(deleted_at=None)
        page_update(page=page, editor=editor, title=title, content=content, tags=tags, folder=page_folder)
        restored.append(pk)
    return {"restored": restored, "missing": missing}
