"""Writes. Views, admin and tasks call these; nothing else writes pages or teams."""
from django.db import IntegrityError, transaction
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


def _check_version(page: Page, expected_version) -> None:
    """`expected_version`: None (no check), a version, or several (an If-Match list)."""
    if expected_version is None:
        return
    expected = {expected_version} if isinstance(expected_version, str) else set(expected_version)
    if page_version(page_id=page.pk, updated_at=page.updated_at) not in expected:
        raise StaleVersion(page)


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
def page_update(*, page: Page, editor, expected_version=None, **changes) -> Page:
    """Apply `changes` (any of title, content, tags, folder), keeping a revision of the old state.

    With `expected_version`, raise StaleVersion unless the locked row is still at that version.
    """
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    page = Page.objects.select_for_update().get(pk=page.pk)
    _check_version(page, expected_version)
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
def page_delete(*, page: Page, expected_version=None) -> None:
    """Soft delete: the row stays, readers stop seeing it. `expected_version` as in page_update."""
    if expected_version is not None:
        _check_version(Page.objects.select_for_update().get(pk=page.pk), expected_version)
    Page.objects.filter(pk=page.pk).update(deleted_at=timezone.now())
    page.deleted_at = timezone.now()
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
