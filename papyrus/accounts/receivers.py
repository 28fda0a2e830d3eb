"""The accounts app's signal receivers, connected by AccountsConfig.ready(): user writes and
restores (backups_app) make cached principals stale."""
from django.db.models.signals import post_delete, post_save

from backups_app.signals import restore_committed

from . import principal


def connect() -> None:
    post_save.connect(user_changed, sender="accounts.User", dispatch_uid="accounts-principal-user-saved")
    post_delete.connect(user_changed, sender="accounts.User", dispatch_uid="accounts-principal-user-deleted")
    restore_committed.connect(restored, dispatch_uid="accounts-principal-invalidate-on-restore")


def user_changed(sender, instance, update_fields=None, **kwargs):
    # A new user too: "no such user" may be cached for its id (a token from before a restore).
    if update_fields and set(update_fields) <= {"last_login", "password"}:
        return  # neither is cached
    principal.invalidate_user(instance.pk)


def restored(sender, **kwargs):
    if not principal.invalidate_all():
        raise RuntimeError("the cached principals (Redis) could not be invalidated")
