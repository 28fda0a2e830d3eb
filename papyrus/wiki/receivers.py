"""The wiki's signal receivers, connected by WikiConfig.ready(): its own page writes, memberships,
users (author names appear in pages) and restores (backups_app)."""
from django.conf import settings
from django.db.models.signals import post_delete, post_save

from backups_app.signals import restore_committed
from papyrus.accounts import principal

from . import cache, realtime
from .models import Membership
from .signals import page_changed


def connect() -> None:
    page_changed.connect(cache.invalidate_on_page_change, dispatch_uid="wiki-cache-invalidate-on-page-change")
    page_changed.connect(realtime.broadcast_page_change, dispatch_uid="papyrus.wiki.realtime.broadcast_page_change")
    post_save.connect(cache.invalidate_on_user_change, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="wiki-cache-invalidate-on-user-change")
    for signal in (post_save, post_delete):
        signal.connect(membership_changed, sender=Membership, dispatch_uid=f"wiki-membership-{signal is post_save}")
    restore_committed.connect(invalidate_after_restore, dispatch_uid="wiki-cache-invalidate-on-restore")


def membership_changed(sender, instance, **kwargs):
    """The member's cached teams are stale; their open event streams re-subscribe after commit."""
    principal.invalidate_user(instance.user_id)
    realtime.membership_changed(sender, instance)


def invalidate_after_restore(sender, **kwargs):
    """Every page, list and search result cached before a restore describes data that is gone."""
    if not cache.invalidate_everything():
        raise RuntimeError("the response cache (Redis) could not be invalidated")
