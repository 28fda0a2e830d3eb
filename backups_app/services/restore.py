"""Restore: checksum, preflight, safety backup, all-or-nothing swap, maintenance while it runs."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import close_old_connections, connections

from .. import conf, crypto, loader, lock, maintenance, names, pg, preflight
from ..errors import BackupError, ReservationLost
from ..metrics import record_failure
from ..models import Backup
from .create import create_locked, phased
from .fetch import ChecksumRefused, fetch_verified
from .recover import announce_restore, mark_restore, settle_interrupted

log = logging.getLogger("backups_app.services")




def backup_restore(*, name: str, progress=None, wait: float = 0, skip_preflight: bool = False,
                   reservation: str | None = None) -> Backup:
    """Replace the live database with backup `name`, all-or-nothing.

    Order: the preflight (preflight.py; a block refuses the restore unless `skip_preflight`);
    checksum verified; site in maintenance (writes → 503); a safety backup of the live data
    (its snapshot is taken before anything changes; it is written while the restore loads, on the
    core the single-threaded load leaves idle, with one compression thread: a second one slowed the
    load by a quarter); the dump loaded into a fresh `public` schema in ONE
    transaction that commits only once the safety backup is complete and read back (checksum, gzip,
    completion line), and also drops the old schema. On any failure — this process killed included —
    the transaction rolls back and the live data is exactly as before.
    `reservation`: the lock token taken when the API or the admin accepted it; the lock is taken
    over from it (then the preflight runs under the lock), and the restore refused when it expired.
    """
    if reservation is None and not skip_preflight:  # the checksum is verified below, the lock awaited when `wait`
        _require_clear(name, lock_free=not wait)
    try:
        with lock.exclusive("restore", wait=wait, in_use_name=names.validate(name), reservation=reservation):
            if reservation is not None and not skip_preflight:
                _require_clear(name, lock_free=False)  # the lock is ours: held since the request was accepted
            return _restore_locked(name, progress)
    except ReservationLost as exc:
        mark_restore(name, status="failed", error=str(exc))
        raise


def _require_clear(name: str, *, lock_free: bool) -> None:
    try:
        preflight.require_clear(name=names.validate(name), checksum=False, lock=lock_free)
    except preflight.PreflightBlocked as exc:
        mark_restore(name, status="failed", error=str(exc))
        raise


def _restore_locked(name: str, progress) -> Backup:
    """Under the lock: everything backup_restore's docstring lists after the preflight."""
    settle_interrupted()
    try:
        path, _ = fetch_verified(name, operation="restore")
    except ChecksumRefused as exc:
        mark_restore(name, status="failed", error=str(exc))
        raise
    if names.is_encrypted(name):  # a wrong identity is refused before anything changes
        crypto.check_identity(path)
    crypto.check_safety_backup_readable()
    with maintenance.during():
        mark_restore(name, status="running")
        connections.close_all()  # our own sessions must not hold anything the swap needs
        _end_idle_transactions()
        began = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="safety-backup") as pool:
                safety = _start_safety_backup(pool)
                _swap(path, progress, restoring=name, before_commit=lambda: _finish_safety_backup(safety))
        except BackupError as exc:
            record_failure("restore")
            mark_restore(name, status="failed", error=str(exc))
            raise BackupError(f"restore of {name} failed and was rolled back; the live data is unchanged. "
                              f"{exc}") from exc
        # Committed (the row now says 'committed'): tell the other apps before writes resume.
        unannounced = announce_restore(name, duration=time.monotonic() - began)
    if unannounced:
        raise BackupError(f"restore of {name} committed (the live data is the backup's now), but "
                          f"{unannounced}; run `manage.py backup recover` once that is fixed")
    return Backup.objects.get(name=name)


def _start_safety_backup(pool: ThreadPoolExecutor):
    """Start the safety backup in a thread; return once its snapshot is taken (or it failed)."""
    taken = threading.Event()

    def work():
        try:
            row = create_locked(kind=Backup.Kind.SAFETY, name=None, progress=None, snapshot_taken=taken)
            _check_written(row)
            return row
        finally:
            taken.set()
            connections.close_all()  # this thread's own Django connection

    future = pool.submit(work)
    taken.wait()
    if future.done() and future.exception():
        raise BackupError(f"safety backup failed, nothing was restored: {future.exception()}")
    return future


def _check_written(row: Backup) -> None:
    """Read the file back: the checksum recorded while writing and a complete, decompressible dump."""
    path = conf.backup_dir() / row.name
    loader.check_checksum(path, row.sha256)
    loader.check_complete(path)


def _finish_safety_backup(future) -> None:
    try:
        row = future.result()
    except Exception as exc:
        raise BackupError(f"safety backup failed, the restore was rolled back: {exc}") from exc
    log.info("backups: safety backup %s written before the restore commits", row.name)


def _swap(path: Path, progress, *, restoring: str, before_commit=None) -> None:
    pre, post = loader.swap_sql(conf.restore_lock_timeout(), restoring=restoring)
    with pg.raw_connection() as conn:
        major = pg.server_major(pg.server_version(conn.cursor())[1])
    loader.load(path, psql=pg.binary("psql", major=major), env=pg.libpq_env(), pre=pre, post=post,
                progress=phased(progress, "restore"), before_commit=before_commit)
    close_old_connections()


def _end_idle_transactions() -> None:
    """Sessions of this database left 'idle in transaction' would block the swap until lock_timeout."""
    with pg.raw_connection(autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")


