"""Writes: create, restore, verify, clean up and drill backups. Commands, tasks, API and admin call these.

One backup, restore or cleanup at a time across all processes (locking.exclusive); drills only
mark their file in use. Every failure raises a BackupError subclass with a message meant for people.
"""
from __future__ import annotations

import json
import os
import threading
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from . import conf, crypto, dump, loader, locking, names, pg, preflight, storage
from .errors import BackupError, BackupNotFound, Busy  # noqa: F401 - callers import them from here
from .metrics import record_failure
from .models import Backup
from .selectors import manifest_for, manifest_of
from .signals import restore_committed

log = logging.getLogger(__name__)


class ChecksumRefused(loader.CorruptBackup):
    """The file does not match its manifest's checksum; nothing was touched."""


DAMAGED = "damaged: "  # error prefix of a backup whose file failed its checksum
INTERRUPTED_RESTORE = "interrupted: the restorer stopped before COMMIT; rolled back, the live data is unchanged"


# --- create -------------------------------------------------------------------------------


def backup_create(*, kind: str = Backup.Kind.MANUAL, name: str | None = None, progress=None,
                  wait: float = 0) -> Backup:
    """Dump the database into BACKUP_DIR/<name> (+ manifest, + S3 copy); return the Backup row."""
    with locking.exclusive("backup", wait=wait):
        return _create_locked(kind=kind, name=name, progress=progress)


def _create_locked(*, kind: str, name: str | None, progress, snapshot_taken: threading.Event | None = None
                   ) -> Backup:
    directory = _ensure_dir()
    if kind != Backup.Kind.SAFETY:  # a restore settled everything before starting its safety backup
        _settle_interrupted()
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


def _ensure_dir() -> Path:
    directory = conf.backup_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _settle_interrupted() -> dict:
    """Under the lock nothing else runs: what a dead process left says so, and is counted.

    A backup still 'running' is a killed create (its renamed-but-unrecorded file is unverifiable and
    removed; temp files too); a restore still 'running' was rolled back (COMMIT is written last);
    a restore 'committed' did replace the data but its restorer died before telling anyone:
    restore_committed is sent now (response caches), then it is marked success.
    Returns {"backups": [names], "rolled_back": [names], "committed": [names]}.
    """
    directory = conf.backup_dir()
    _refuse_while_a_restore_session_runs()
    settled = {"backups": [], "rolled_back": [], "committed": []}
    for row in Backup.objects.filter(status=Backup.Status.RUNNING):
        (directory / row.name).unlink(missing_ok=True)
        row.status, row.error, row.local = Backup.Status.FAILED, "interrupted: the process stopped", False
        row.save(update_fields=["status", "error", "local"])
        record_failure("create")
        settled["backups"].append(row.name)
    if directory.exists():
        for leftover in directory.glob(".backup_*.tmp"):
            leftover.unlink(missing_ok=True)
    for name in Backup.objects.filter(restore_status="running").values_list("name", flat=True):
        _mark_restore(name, status="failed", error=INTERRUPTED_RESTORE)
        record_failure("restore")
        settled["rolled_back"].append(name)
    for name in Backup.objects.filter(restore_status=loader.COMMITTED).values_list("name", flat=True):
        _announce_restore(name, duration=None, note="finished by recovery: the restorer died after COMMIT")
        settled["committed"].append(name)
    return settled


def _refuse_while_a_restore_session_runs() -> None:
    """psql may still be applying COMMIT for a restorer that just died: wait for it to end."""
    with pg.raw_connection(autocommit=True) as conn:
        busy = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name = 'papyrus-backup' AND backend_xid IS NOT NULL "
                            "AND pid <> pg_backend_pid()").fetchone()[0]
    if busy:
        raise Busy("a restore's psql session is still running in the database; try again in a moment")


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
               *[f"--exclude-table-data=public.{t}" for t in pg.EXCLUDED_DATA_TABLES]]
        with ThreadPoolExecutor(max_workers=1) as counter:
            counts = counter.submit(pg.row_counts, conn.cursor())  # same snapshot, alongside the dump
            written = dump.write_atomically(cmd, pg.libpq_env(), path, level=level, threads=threads,
                                            progress=_phase(progress, "dump"),
                                            recipients=crypto.recipients() if names.is_encrypted(path.name) else None)
            row_counts = counts.result()
        conn.rollback()
    return {"written": written, "version": version, "migrations": migrations, "row_counts": row_counts}


def _phase(progress, phase: str):
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


# --- fetch (local, else S3) --------------------------------------------------------------


def _fetch(name: str) -> tuple[Path, dict]:
    """The local path and manifest of `name`, downloading it from S3 when the local copy is gone."""
    names.validate(name)
    manifest = manifest_for(name)
    path = conf.backup_dir() / name
    if not path.exists():
        if not (storage.enabled() and storage.exists(name)):
            raise BackupNotFound(f"backup {name} not found (neither in {conf.backup_dir()} nor in S3)")
        if manifest is None:
            raise BackupError(f"backup {name} has no manifest; its checksum cannot be verified")
        _ensure_dir()
        storage.download(name, path, sha256=manifest["sha256"])
        Backup.objects.filter(name=name).update(local=True)
    if manifest is None:
        raise BackupError(f"backup {name} has no manifest ({name}.json); its checksum cannot be verified")
    return path, manifest


def _fetch_verified(name: str, *, operation: str) -> tuple[Path, dict]:
    """_fetch, then the file's checksum against its manifest; only a file that passed is recorded.

    A refusal is counted as a failure of `operation` and a backup recorded as successful whose
    file is damaged is recorded as failed (so list, API, drills, retention and /health stop
    counting on it); a good copy later (e.g. fetched again from S3) makes it successful again.
    """
    path, manifest = _fetch(name)
    try:
        loader.check_checksum(path, manifest["sha256"])
    except loader.CorruptBackup as exc:
        record_failure(operation)
        Backup.objects.filter(name=name, status=Backup.Status.SUCCESS).update(
            status=Backup.Status.FAILED, error=f"{DAMAGED}{exc}"[:4000])
        raise ChecksumRefused(str(exc)) from exc
    _record_verified(name, manifest, path)
    return path, manifest


def _record_verified(name: str, manifest: dict, path: Path) -> None:
    """Record a backup known only from its files (e.g. on a fresh database after a disaster), from
    facts just verified: the checksum matched, the size is the file's."""
    row = Backup.objects.filter(name=name).first()
    if row is not None:
        if row.status == Backup.Status.FAILED and row.error.startswith(DAMAGED):
            Backup.objects.filter(pk=row.pk).update(status=Backup.Status.SUCCESS, error="")
        return
    Backup.objects.create(
        name=name, kind=manifest.get("kind") or Backup.Kind.MANUAL, status=Backup.Status.SUCCESS,
        sha256=manifest["sha256"], size=path.stat().st_size, sql_size=manifest.get("sqlSize"),
        plaintext_sha256=manifest.get("plaintextSha256") or "",
        secrets_fingerprint=manifest.get("secretsFingerprint") or {},
        started_at=manifest.get("startedAt"), finished_at=manifest.get("finishedAt"),
        duration_seconds=manifest.get("durationSeconds"), postgres_version=manifest.get("postgresVersion", ""),
        app_version=manifest.get("appVersion", ""), migrations=manifest.get("migrations", []),
        row_counts=manifest.get("rowCounts", {}), local=True, in_s3=storage.enabled() and storage.exists(name))


# --- restore ------------------------------------------------------------------------------


def backup_restore(*, name: str, progress=None, wait: float = 0, skip_preflight: bool = False) -> Backup:
    """Replace the live database with backup `name`, all-or-nothing.

    Order: the preflight (preflight.py; a block refuses the restore unless `skip_preflight`);
    checksum verified; site in maintenance (writes → 503); a safety backup of the live data
    (its snapshot is taken before anything changes; it is written while the restore loads, on the
    core the single-threaded load leaves idle, with one compression thread: a second one slowed the
    load by a quarter); the dump loaded into a fresh `public` schema in ONE
    transaction that commits only once the safety backup is complete and read back (checksum, gzip,
    completion line), and also drops the old schema. On any failure — this process killed included —
    the transaction rolls back and the live data is exactly as before.
    """
    if not skip_preflight:  # the checksum is verified below, the lock awaited when `wait`
        try:
            preflight.require_clear(name=names.validate(name), checksum=False, lock=not wait)
        except preflight.PreflightBlocked as exc:
            _mark_restore(name, status="failed", error=str(exc))
            raise
    with locking.exclusive("restore", wait=wait, in_use=names.validate(name)):
        _settle_interrupted()
        try:
            path, _ = _fetch_verified(name, operation="restore")
        except ChecksumRefused as exc:
            _mark_restore(name, status="failed", error=str(exc))
            raise
        if names.is_encrypted(name):  # a wrong identity is refused before anything changes
            crypto.check_identity(path)
        crypto.check_safety_backup_readable()
        with locking.maintenance():
            _mark_restore(name, status="running")
            connections.close_all()  # our own sessions must not hold anything the swap needs
            _end_idle_transactions()
            began = time.monotonic()
            try:
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="safety-backup") as pool:
                    safety = _start_safety_backup(pool)
                    _swap(path, progress, restoring=name, before_commit=lambda: _finish_safety_backup(safety))
            except BackupError as exc:
                record_failure("restore")
                _mark_restore(name, status="failed", error=str(exc))
                raise BackupError(f"restore of {name} failed and was rolled back; the live data is unchanged. "
                                  f"{exc}") from exc
            # Committed (the row now says 'committed'): tell the other apps before writes resume.
            unannounced = _announce_restore(name, duration=time.monotonic() - began)
        if unannounced:
            raise BackupError(f"restore of {name} committed (the live data is the backup's now), but "
                              f"{unannounced}; run `manage.py backup recover` once that is fixed")
        return Backup.objects.get(name=name)


def _announce_restore(name: str, *, duration: float | None, note: str = "") -> str:
    """Send restore_committed, then mark the restore a success; "" when done, else what failed
    (the restore then stays 'committed', and recovery sends the signal again)."""
    results = restore_committed.send_robust(sender="backups_app", name=name)
    failed = "; ".join(f"{getattr(receiver, '__qualname__', receiver)} failed: {error}"
                       for receiver, error in results if isinstance(error, Exception))
    if failed:
        log.error("backups: restore of %s committed but %s", name, failed)
        Backup.objects.filter(name=name).update(restore_error=f"committed, but {failed}"[:4000])
        return failed
    _mark_restore(name, status="success", error=note, duration=duration)
    return ""


def _start_safety_backup(pool: ThreadPoolExecutor):
    """Start the safety backup in a thread; return once its snapshot is taken (or it failed)."""
    taken = threading.Event()

    def work():
        try:
            row = _create_locked(kind=Backup.Kind.SAFETY, name=None, progress=None, snapshot_taken=taken)
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
                progress=_phase(progress, "restore"), before_commit=before_commit)
    close_old_connections()


def _end_idle_transactions() -> None:
    """Sessions of this database left 'idle in transaction' would block the swap until lock_timeout."""
    with pg.raw_connection(autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")


def _mark_restore(name: str, *, status: str, error: str = "", duration: float | None = None) -> None:
    fields = {"restore_status": status, "restore_error": error[:4000]}
    if status == "success":
        fields.update(restored_at=timezone.now(),
                      restore_duration_seconds=round(duration, 3) if duration is not None else None)
    Backup.objects.filter(name=name).update(**fields)


# --- recovery after a killed create or restore -------------------------------------------


def backup_recover(*, wait: float = 0) -> dict:
    """What an operator runs after a killed create or restore (`manage.py backup recover`).

    Takes the backup lock — so it is refused (Busy) while a live holder runs — settles what the
    dead process left (see _settle_interrupted: counted failures, a rolled-back or a committed
    restore, restore_committed sent for the latter) and turns maintenance mode off.
    Returns _settle_interrupted's dict plus "maintenance": whether it was on.
    """
    with locking.exclusive("recover", wait=wait):
        settled = _settle_interrupted()
        settled["maintenance"] = locking.in_maintenance()
        locking.set_maintenance(False)
    return settled


def settle_if_interrupted() -> dict | None:
    """The periodic check (Celery beat, every minute): the same as backup_recover, only when a row
    says a process died mid-way and nobody holds the lock; maintenance is turned off only when it
    belonged to a dead restore. None when there was nothing to do."""
    from .selectors import has_unsettled

    if not has_unsettled() or locking.busy():
        return None
    with locking.exclusive("settle"):
        settled = _settle_interrupted()
        if settled["rolled_back"] or settled["committed"]:
            locking.set_maintenance(False)
    return settled


# --- verify -------------------------------------------------------------------------------


def backup_verify(*, name: str | None = None) -> list[dict]:
    """Check checksum and gzip/SQL completeness of one backup or of every local one.

    Returns [{"name", "ok", "message"}]; a backup stored only in S3 is downloaded first.
    """
    targets = [names.validate(name)] if name else sorted(
        p.name for p in conf.backup_dir().glob(names.PATTERN) if names.is_valid(p.name))
    return [_verify_one(target) for target in targets]


def _verify_one(name: str) -> dict:
    try:
        with locking.using(name):
            path, _ = _fetch_verified(name, operation="verify")
            size = loader.check_complete(path)
    except BackupError as exc:
        return {"name": name, "ok": False, "message": str(exc)}
    return {"name": name, "ok": True, "message": f"checksum ok, {size / 1e6:.1f} MB of SQL, dump complete"}


# --- retention ----------------------------------------------------------------------------


def backup_cleanup(*, now=None, wait: float = 0) -> list[str]:
    """Delete backups older than BACKUP_RETENTION_DAYS locally and in S3; return the names removed.

    Never removed: the newest verified backup, the newest successful one, anything in use
    (restore/drill/verify running) or still pending/running.
    """
    with locking.exclusive("cleanup", wait=wait):
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
    return keep | locking.in_use_names()


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


# --- drill --------------------------------------------------------------------------------


def backup_drill(*, name: str | None = None, progress=None) -> Backup:
    """Restore a backup (default: the newest successful one) into a scratch database, compare it
    with its manifest (row counts, migrations), drop it; record verified_at and the restore time."""
    name = names.validate(name) if name else _newest_success()
    with locking.using(name):
        try:
            path, manifest = _fetch_verified(name, operation="drill")
            duration = _drill_into_scratch(path, manifest, progress)
        except BackupError as exc:
            if not isinstance(exc, ChecksumRefused):  # counted already
                record_failure("drill")
            Backup.objects.filter(name=name).update(drill_error=str(exc)[:4000])
            raise BackupError(f"drill of {name} failed: {exc}") from exc
    Backup.objects.filter(name=name).update(verified_at=timezone.now(), drill_error="",
                                            drill_duration_seconds=round(duration, 3))
    return Backup.objects.get(name=name)


def _newest_success() -> str:
    row = Backup.objects.filter(status=Backup.Status.SUCCESS).order_by("-name").first()
    if row is None:
        raise BackupNotFound("there is no successful backup to drill")
    return row.name


def _drill_into_scratch(path: Path, manifest: dict, progress) -> float:
    with _scratch_database(path, progress, phase="drill") as (scratch, duration):
        _compare(scratch, manifest)
    return duration


@contextmanager
def _scratch_database(path: Path, progress, *, phase: str):
    """Load backup file `path` into a new scratch database (never the live one); yield (its name,
    load seconds); drop it afterwards whatever happens."""
    scratch = f"{pg.settings_dict()['NAME']}_drill_{int(time.time())}_{os.getpid()}"[-63:]
    with pg.raw_connection(autocommit=True) as admin:
        major = pg.server_major(pg.server_version(admin.cursor())[1])
        admin.execute(f"CREATE DATABASE {pg.quote_ident(scratch)} TEMPLATE template0")
        try:
            began = time.monotonic()
            loader.load(path, psql=pg.binary("psql", major=major), env=pg.libpq_env(database=scratch),
                        progress=_phase(progress, phase))
            yield scratch, time.monotonic() - began
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {pg.quote_ident(scratch)} WITH (FORCE)")


# --- page time travel ---------------------------------------------------------------------


def backup_restore_pages(*, name: str, page_ids=(), folder: str = "", progress=None) -> dict:
    """Bring pages (by id, or every page of `folder`) back from backup `name` as new revisions of
    the live pages, touching nothing else. The backup is loaded into a scratch database, never the
    live one; the project's BACKUP_PAGE_RESTORER reads it there and writes the live pages.
    Returns what the restorer reports ({"restored": [ids], "missing": [ids]})."""
    names.validate(name)
    if not page_ids and not folder:
        raise BackupError("name the pages to bring back (--page=ID, repeatable, or --folder=NAME)")
    restorer = conf.page_restorer()
    with locking.using(name):
        path, _ = _fetch_verified(name, operation="restore")
        with _scratch_database(path, progress, phase="time travel") as (scratch, _):
            with pg.raw_connection(database=scratch) as conn:
                try:
                    result = restorer(cursor=conn.cursor(), page_ids=list(page_ids), folder=folder, source=name)
                except ValueError as exc:  # the restorer's "not in this backup": nothing was written
                    raise BackupError(str(exc)) from exc
    log.info("backups: pages %s brought back from %s", result.get("restored"), name)
    return result


def _compare(database: str, manifest: dict) -> None:
    with pg.raw_connection(database=database) as conn:
        cursor = conn.cursor()
        counts, migrations = pg.row_counts(cursor), pg.applied_migrations(cursor)
    expected = manifest.get("rowCounts") or {}
    wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    if wrong:
        detail = ", ".join(f"{t}: expected {a}, restored {b}" for t, (a, b) in sorted(wrong.items())[:5])
        raise BackupError(f"row counts differ from the manifest ({detail})")
    if migrations != (manifest.get("migrations") or []):
        raise BackupError("applied migrations differ from the manifest")


# --- queueing (API, admin) ----------------------------------------------------------------


def backup_enqueue(*, kind: str = Backup.Kind.MANUAL) -> Backup:
    """Record a pending backup and hand it to a Celery worker; raise Busy when one is running."""
    from . import tasks

    if locking.busy():
        raise Busy(f"another backup or restore is running ({locking.current_holder()})")
    taken = lambda n: Backup.objects.filter(name=n).exists() or (conf.backup_dir() / n).exists()  # noqa: E731
    row = Backup.objects.create(name=names.next_free(timezone.now().replace(tzinfo=None), taken,
                                                     encrypted=crypto.enabled()), kind=kind)
    transaction.on_commit(lambda: tasks.create_backup.delay(name=row.name, kind=kind))
    return row


def restore_enqueue(*, name: str) -> Backup:
    """Check that `name` exists and nothing runs, then queue its restore on a Celery worker."""
    from . import tasks

    names.validate(name)
    if locking.busy():
        raise Busy(f"another backup or restore is running ({locking.current_holder()})")
    row = Backup.objects.filter(name=name, status=Backup.Status.SUCCESS).first()
    if row is None and not (conf.backup_dir() / name).exists() and not (storage.enabled() and storage.exists(name)):
        raise BackupNotFound(f"backup {name} not found")
    Backup.objects.filter(name=name).update(restore_status="queued", restore_error="")
    transaction.on_commit(lambda: tasks.restore_backup.delay(name=name))
    return row or Backup(name=name)
