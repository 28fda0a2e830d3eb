"""Queue work on a Celery worker for the API and the admin: record the row, then send the task on commit.

Lives beside tasks.py, not in services: services never import tasks (tasks call services).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import conf, crypto, lock, names, storage, tasks
from .errors import BackupNotFound
from .models import Backup


def backup_enqueue(*, kind: str = Backup.Kind.MANUAL) -> Backup:
    """Reserve the lock, record a pending backup and hand both to a Celery worker; Busy when held."""
    reservation = lock.reserve("backup")
    try:
        taken = lambda n: Backup.objects.filter(name=n).exists() or (conf.backup_dir() / n).exists()  # noqa: E731
        row = Backup.objects.create(name=names.next_free(timezone.now().replace(tzinfo=None), taken,
                                                         encrypted=crypto.enabled()), kind=kind)
        _send_on_commit(tasks.create_backup, reservation, name=row.name, kind=kind)
    except BaseException:
        lock.unreserve(reservation)
        raise
    return row


def restore_enqueue(*, name: str) -> Backup:
    """Check that `name` exists, reserve the lock, then queue its restore on a Celery worker; Busy when held."""
    names.validate(name)
    row = Backup.objects.filter(name=name, status=Backup.Status.SUCCESS).first()
    if row is None and not (conf.backup_dir() / name).exists() and not (storage.enabled() and storage.exists(name)):
        raise BackupNotFound(f"backup {name} not found")
    reservation = lock.reserve(f"restore of {name}")
    try:
        Backup.objects.filter(name=name).update(restore_status="queued", restore_error="")
        _send_on_commit(tasks.restore_backup, reservation, name=name)
    except BaseException:
        lock.unreserve(reservation)
        raise
    return row or Backup(name=name)


def _send_on_commit(task, reservation: str, **kwargs) -> None:
    """Send the task with its reservation once the row is committed; give the lock back if sending fails."""
    def send():
        try:
            task.delay(reservation=reservation, **kwargs)
        except BaseException:
            lock.unreserve(reservation)
            raise

    transaction.on_commit(send)
