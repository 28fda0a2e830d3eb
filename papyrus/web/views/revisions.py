"""History: versions (who, when), a diff between any two, restore as a new revision."""
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from papyrus.wiki import selectors, services
from papyrus.wiki.permissions import can_write

from .. import history
from .common import Refused, readable_page, refusals, writable_page


@refusals
def page_history(request, page_id):
    page = readable_page(request, page_id)
    versions = history.versions(page)
    return render(request, "web/history.html", {
        "page": page, "versions": versions, "can_write": can_write(request.user, page)})


def _number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@refusals
def page_diff(request, page_id):
    page = readable_page(request, page_id)
    versions = {v.number: v for v in history.versions(page)}
    newest = max(versions)
    a, b = _number(request.GET.get("from"), newest - 1), _number(request.GET.get("to"), newest)
    if a not in versions or b not in versions:
        raise Refused(404)
    old, new = versions[a], versions[b]
    changes = history.diff(history.version_text(old), history.version_text(new),
                           old_label=f"version {a}", new_label=f"version {b}")
    return render(request, "web/diff.html", {"page": page, "old": old, "new": new, "changes": changes,
                                             "versions": sorted(versions.values(), key=lambda v: -v.number)})


@refusals
@require_POST
def page_restore(request, page_id, number):
    if not request.user.is_authenticated:
        raise Refused(403)
    page = writable_page(request, page_id)
    revision = selectors.page_revision_get(page=page, number=number)
    if revision is None:
        raise Refused(404)
    services.page_revision_restore(page=page, revision=revision, editor=request.user)
    return redirect("web:history", page_id=page.pk)
