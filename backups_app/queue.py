"""Queue work on a Celery worker for the API and the admin: record the row, then send the task on commit.

Lives beside tasks.py, not in services: services never import tasks (tasks call services).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import conf, crypto, lock, names, storage, tasks
from .errors import BackupNotFound, Busy
from .models import Backup


def backup_enqueue(*, kind: str = Backup.Kind.MANUAL) -> Backup:
    """Record a pending backup and hand it to a Celery worker; raise Busy when one is running."""
    if lock.busy():
        raise Busy(f"another backup or restore is running ({lock.current_holder()})")
    taken = lambda n: Backup.objects.filter(name=n).exists() or (conf.backup_dir() / n).exists()  # noqa: E731
    row = Backup.objects.create(name=names.next_free(timezone.now().replace(tzinfo=None), taken,
                                                     encrypted=crypto.enabled()), kind=kind)
    transaction.on_commit(lambda: tasks.create_backup.delay(name=row.name, kind=kind))
    return row

def restore_enqueue(*, name: str) -> Backup:
    """Check that `name` exists and nothing runs, then queue its restore on a Celery worker."""
    names.validate(name)
    if lock.busy():
        raise Busy(f"another backup or restore is running ({lock.current_holder()})")
    row = Backup.objects.filter(name=name, status=Backup.Status.SUCCESS).first()
    if row is None and not (conf.backup_dir() / name).exists() and not (storage.enabled() and storage.exists(name)):
        raise BackupNotFound(f"backup {name} not found")
    Backup.objects.filter(name=name).update(restore_status="queued", restore_error="")
    transaction.on_commit(lambda: tasks.restore_backup.delay(name=name))
    return row or Backup(name=name)
