"""The wiki's answers to other apps' signals."""
from django.dispatch import receiver

from backups_app.signals import restore_committed

from .cache import invalidate_everything


@receiver(restore_committed, dispatch_uid="wiki-cache-invalidate-on-restore")
def invalidate_after_restore(sender, **kwargs):
    """Every page, list and search result cached before a restore describes data that is gone."""
    if not invalidate_everything():
        raise RuntimeError("the response cache (Redis) could not be invalidated")
