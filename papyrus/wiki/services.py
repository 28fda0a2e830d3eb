"""Writes. Views, admin and tasks call these; nothing else writes pages or teams."""
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Membership, Page, PageRevision, Team
from .signals import page_changed

EDITABLE_FIELDS = ("title", "content", "tags", "folder")


def _emit(event: str, page: Page) -> None:
    transaction.on_commit(lambda: page_changed.send(sender=Page, event=event, page=page))


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(title, allow_unicode=True) or "page")[:200].strip("-") or "page"
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


def page_create(*, author, title: str, content: str = "", tags=None, folder: str = "docs",
                team: Team | None = None) -> Page:
    for _ in range(5):  # a concurrent create may take the same slug; try the next one
        try:
            with transaction.atomic():
                page = Page.objects.create(
                    title=title, slug=_unique_slug(title), content=content, tags=list(tags or []),
                    folder=folder or "docs", author=author, team=team)
                _emit("page.created", page)
                return page
        except IntegrityError:
            continue
    raise IntegrityError("could not allocate a unique slug")


@transaction.atomic
def page_update(*, page: Page, editor, **changes) -> Page:
    """Apply `changes` (any of title, content, tags, folder), keeping a revision of the old state."""
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    page = Page.objects.select_for_update().get(pk=page.pk)
    number = page.revisions.count() + 1
    PageRevision.objects.create(page=page, number=number, title=page.title, content=page.content,
                                tags=page.tags, folder=page.folder, edited_by=editor)
    if "title" in changes and changes["title"] != page.title:
        page.slug = _unique_slug(changes["title"], exclude_pk=page.pk)
    for field, value in changes.items():
        setattr(page, field, list(value) if field == "tags" else value)
    page.save()
    _emit("page.updated", page)
    return page


@transaction.atomic
def page_delete(*, page: Page) -> None:
    """Soft delete: the row stays, readers stop seeing it."""
    Page.objects.filter(pk=page.pk).update(deleted_at=timezone.now())
    page.deleted_at = timezone.now()
    _emit("page.deleted", page)


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
