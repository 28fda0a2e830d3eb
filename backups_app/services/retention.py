"""Retention: delete what is older than BACKUP_RETENTION_DAYS, never the newest verified backup."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from .. import conf, in_use, lock, names, storage
from ..models import Backup

log = logging.getLogger("backups_app.services")




def backup_cleanup(*, now=None, wait: float = 0) -> list[str]:
    """Delete backups older than BACKUP_RETENTION_DAYS locally and in S3; return the names removed.

    Never removed: the newest verified backup, the newest successful one, anything in use
    (restore/drill/verify running) or still pending/running.
    """
    with lock.exclusive("cleanup", wait=wait):
        cutoff = (now or timezone.now()).replace(tzinfo=None) - timedelta(days=conf.retention_days())
        local = {p.name for p in conf.backup_dir().glob(names.PATTERN) if names.is_valid(p.name)}
        remote = storage.list_names() if storage.enabled() else set()
        rows = {row.name: row for row in Backup.objects.all()}
        keep = _protected(rows)
        removed = []
        for name in sorted(local | remote | set(rows)):
            if name in keep or names.taken_at(name) >= cutoff:
                continue
            if _remove(name, rows.get(name), in_s3=name in remote):
                removed.append(name)
        return removed


def _protected(rows: dict) -> set[str]:
    ok = [r for r in rows.values() if r.status == Backup.Status.SUCCESS]
    keep = {r.name for r in rows.values() if r.status in (Backup.Status.PENDING, Backup.Status.RUNNING)}
    if ok:
        keep.add(max(ok, key=lambda r: r.name).name)
    verified = [r for r in ok if r.verified_at]
    if verified:
        keep.add(max(verified, key=lambda r: r.name).name)
    return keep | in_use.in_use_names()


def _remove(name: str, row: Backup | None, *, in_s3: bool) -> bool:
    """Delete a backup everywhere; False when its S3 copy is under Object Lock (kept, as expected:
    the local copy goes, the row stays until a later cleanup finds the lock expired)."""
    directory = conf.backup_dir()
    for path in (directory / name, directory / names.manifest_name(name)):
        path.unlink(missing_ok=True)
    if in_s3:
        try:
            storage.delete(name)
        except storage.ObjectLocked as exc:
            if row is not None and row.local:
                row.local = False
                row.save(update_fields=["local"])
            log.info("backups: retention kept the S3 copy of %s: %s", name, exc)
            return False
    if row is not None:
        row.delete()
    log.info("backups: retention removed %s", name)
    return True
