"""Create: dump the database into BACKUP_DIR (+ manifest, + S3 copy) under the lock."""
from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.utils import timezone

from .. import conf, crypto, dump, kept, lock, names, pg, preflight, storage
from ..errors import BackupError, ReservationLost
from ..metrics import record_failure
from ..models import Backup
from ..selectors import manifest_of
from .recover import settle_interrupted

log = logging.getLogger("backups_app.services")




def backup_create(*, kind: str = Backup.Kind.MANUAL, name: str | None = None, progress=None,
                  wait: float = 0, reservation: str | None = None) -> Backup:
    """Dump the database into BACKUP_DIR/<name> (+ manifest, + S3 copy); return the Backup row.

    `reservation`: the lock token taken when the API or the admin accepted it (queued, pending row
    `name`); the lock is taken over from it, and the row marked failed when it expired.
    """
    try:
        with lock.exclusive("backup", wait=wait, reservation=reservation):
            return create_locked(kind=kind, name=name, progress=progress)
    except ReservationLost as exc:
        Backup.objects.filter(name=name, status=Backup.Status.PENDING).update(
            status=Backup.Status.FAILED, error=str(exc)[:4000], finished_at=timezone.now())
        raise


def create_locked(*, kind: str, name: str | None, progress, snapshot_taken: threading.Event | None = None
                   ) -> Backup:
    directory = ensure_dir()
    if kind != Backup.Kind.SAFETY:  # a restore settled everything before starting its safety backup
        settle_interrupted()
    row = _claim_row(kind=kind, name=name)
    path = directory / row.name
    began = time.monotonic()
    try:
        if kind == Backup.Kind.SAFETY:  # written alongside a restore's load: keep to one core's share
            level, threads = conf.safety_compression_level(), 1
        else:
            level, threads = conf.compression_level(), conf.compress_threads()
        facts = _dump(path, progress, snapshot_taken, level=level, threads=threads)
    except Exception as exc:
        _fail(row, f"backup failed: {exc}", began)
        record_failure("create")
        raise BackupError(f"backup {row.name} failed: {exc}") from exc
    _succeed(row, facts, began)
    dump.write_file_atomically(directory / names.manifest_name(row.name), _manifest_bytes(row))
    if storage.enabled():
        _upload(row, path)
    return row


def ensure_dir() -> Path:
    directory = conf.backup_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _claim_row(*, kind: str, name: str | None) -> Backup:
    if name:
        row = Backup.objects.filter(name=names.validate(name), status=Backup.Status.PENDING).first()
        if row is None:
            raise BackupError(f"no queued backup named {name}")
    else:
        taken = lambda n: Backup.objects.filter(name=n).exists() or (conf.backup_dir() / n).exists()  # noqa: E731
        row = Backup(name=names.next_free(timezone.now().replace(tzinfo=None), taken, encrypted=crypto.enabled()),
                     kind=kind)
    row.status, row.started_at, row.error = Backup.Status.RUNNING, timezone.now(), ""
    row.app_version = conf.app_version()
    row.save()
    return row


def _dump(path: Path, progress, snapshot_taken: threading.Event | None = None, *, level: int, threads: int
          ) -> dict:
    """pg_dump inside an exported REPEATABLE READ snapshot; row counts taken in that same snapshot.

    `snapshot_taken` is set once the snapshot exists: what the dump contains is fixed from then on.
    """
    with pg.raw_connection() as conn:
        cursor = conn.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        if snapshot_taken:
            snapshot_taken.set()
        version, version_num = pg.server_version(cursor)
        migrations = pg.applied_migrations(cursor)
        cmd = [pg.binary("pg_dump", major=pg.server_major(version_num)), "--no-owner", "--no-privileges",
               "--format=plain", f"--snapshot={snapshot}",
               *[f"--exclude-table-data=public.{t}" for t in kept.excluded_data_tables()]]
        with ThreadPoolExecutor(max_workers=1) as counter:
            counts = counter.submit(pg.row_counts, conn.cursor())  # same snapshot, alongside the dump
            written = dump.write_atomically(cmd, pg.libpq_env(), path, level=level, threads=threads,
                                            progress=phased(progress, "dump"),
                                            recipients=crypto.recipients() if names.is_encrypted(path.name) else None)
            row_counts = counts.result()
        conn.rollback()
    return {"written": written, "version": version, "migrations": migrations, "row_counts": row_counts}


def phased(progress, phase: str):
    if progress is None:
        return None
    return lambda done, written=None: progress(phase, done, written)


def _fail(row: Backup, message: str, began: float) -> None:
    row.status, row.error = Backup.Status.FAILED, message[:4000]
    row.finished_at, row.duration_seconds = timezone.now(), time.monotonic() - began
    row.save()


def _succeed(row: Backup, facts: dict, began: float) -> None:
    written = facts["written"]
    row.status, row.sha256, row.size = Backup.Status.SUCCESS, written.sha256, written.size
    row.sql_size, row.secrets_fingerprint = written.raw_size, preflight.secrets_fingerprint()
    row.plaintext_sha256 = written.plain_sha256
    row.finished_at, row.duration_seconds = timezone.now(), round(time.monotonic() - began, 3)
    row.postgres_version, row.migrations, row.row_counts = facts["version"], facts["migrations"], facts["row_counts"]
    row.local = True
    row.save()


def _manifest_bytes(row: Backup) -> bytes:
    return json.dumps(manifest_of(row), indent=2, sort_keys=True).encode()


def _upload(row: Backup, path: Path) -> None:
    try:
        storage.upload(path, sha256=row.sha256)
        storage.upload_manifest(row.name, _manifest_bytes(row))
    except Exception as exc:
        row.error = f"S3 upload failed: {exc}"[:4000]
        row.save(update_fields=["error"])
        record_failure("upload")
        raise BackupError(f"backup {row.name} was written locally but the S3 upload failed: {exc}") from exc
    row.in_s3 = True
    row.save(update_fields=["in_s3"])
