"""Response caching for page list, page read and search (SPEC §5.5), on ops.cache.

Responses are cached per *visibility*, not per user: every anonymous caller shares one
entry, every caller with the same set of teams shares another, staff share a third. The
whole namespace goes stale on every page write (`page_changed`, sent after commit by
services.py for the API, admin and any other caller) and on user changes (author names
appear in pages), so a read after a write never returns stale data through any process.
"""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from rest_framework.response import Response

from ops.cache.namespace import VersionedNamespace

from .permissions import team_ids_of
from .signals import page_changed

pages = VersionedNamespace("wiki", ttl=300)

CACHED_HEADERS = ("X-Total-Count", "Link")


def visibility(user) -> str:
    """What `user` may read, as a key: "anon", "staff" or their sorted team ids."""
    if not user.is_authenticated:
        return "anon"
    if user.is_staff:
        return "staff"
    return "teams:" + ",".join(map(str, sorted(team_ids_of(user))))


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

        parts = (view_method.__qualname__, visibility(request.user), request.build_absolute_uri())
        cached = pages.get_or_set(parts, compute)
        return Response(cached["data"], headers=cached["headers"])

    return wrapper


def invalidate_everything() -> bool:
    """Make every cached response stale (e.g. a restore replaced the data); False if Redis failed."""
    return pages.invalidate() is not None


@receiver(page_changed, dispatch_uid="wiki-cache-invalidate-on-page-change")
def invalidate_on_page_change(sender, **kwargs):
    pages.invalidate()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="wiki-cache-invalidate-on-user-change")
def invalidate_on_user_change(sender, created=False, update_fields=None, **kwargs):
    # A new user appears in no cached page; a login only touches last_login.
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    pages.invalidate()
