"""What every browser view shares: error pages and loading a page the visitor may read/write."""
from django.http import HttpResponse
from django.shortcuts import render

from papyrus.wiki import cache as wiki_cache
from papyrus.wiki import selectors
from papyrus.wiki.models import Page
from papyrus.wiki.permissions import can_read, can_write


class Refused(Exception):
    """Raised by the loaders below; views turn it into the 404 or 403 page."""

    def __init__(self, status: int):
        self.status = status


def error_page(request, status: int) -> HttpResponse:
    return render(request, f"{status}.html", status=status)


def readable_page(request, page_id: int) -> Page:
    page = selectors.page_get(page_id=page_id)
    if page is None:
        raise Refused(404)
    if not can_read(request.user, page):
        raise Refused(403)
    return page


def writable_page(request, page_id: int) -> Page:
    page = readable_page(request, page_id)
    if not can_write(request.user, page):
        raise Refused(403)
    return page


def refusals(view):
    """Render Refused as the 404/403 page (also before Django's handlers serve HTML)."""
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return error_page(request, refused.status)
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def version_of(page: Page) -> str:
    return selectors.page_version(page_id=page.pk, updated_at=page.updated_at)


def cached(request, parts: tuple, compute, *, page_id: int | None = None):
    """`compute()` (JSON data) through the API's response cache: shared by every visitor who may
    read the same pages, stale after a write to what it shows (one page when `page_id` is given,
    else the pages the visitor may see) and after user changes. A Refused raised by `compute` is
    not cached."""
    key, scopes = wiki_cache.visibility(request.user)
    if page_id is not None:
        scopes = [wiki_cache.page_scope(page_id)]
    return wiki_cache.pages.get_or_set(("web", *parts, key), compute, scopes=scopes)
