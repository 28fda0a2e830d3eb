"""Restore preflight: what restoring one backup would meet, checked before anything changes.

Every check answers ok / warn / block with its numbers. `backup restore` refuses on a block unless
`--skip-preflight`; `backup preflight NAME`, the admin API and the admin's confirmation page show
the same list. Nothing here writes to the database or the backup store.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from . import conf, crypto, keys, lock, names, pg, storage
from .dump import sha256_of
from .errors import BackupError, BackupNotFound
from .models import Backup
from .selectors import manifest_for

OK, WARN, BLOCK = "ok", "warn", "block"
log = logging.getLogger(__name__)
CHECKS = ("manifest", "checksum", "encryption", "pg_version", "migrations", "space", "duration", "secrets", "lock",
          "s3")
# Size ratios (plain SQL per gzip-6 byte; a gzip-1 safety backup per gzip-6 byte), measured
# (docs/benchmarks.md, "Figures behind code choices") and rounded up for a margin.
SQL_PER_GZIP_BYTE = 3.2
SAFETY_PER_BACKUP_BYTE = 1.25
HEADER_BYTES = 64 * 1024
DUMPED_BY = re.compile(rb"^-- Dumped by pg_dump version (\d+)(?:\.(\d+))?", re.M)


class PreflightBlocked(BackupError):
    """A restore was refused because a preflight check blocks it; nothing was changed."""


@dataclass
class Check:
    name: str
    status: str
    detail: str
    numbers: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"check": self.name, "status": self.status, "detail": self.detail, **self.numbers}


def backup_preflight(*, name: str, checksum: bool = True, lock: bool = True) -> list[Check]:
    """Every check for restoring `name` here and now. `checksum=False` skips reading the whole file
    (the restore verifies it itself); `lock=False` skips the lock (a restore that will wait for it)."""
    names.validate(name)
    manifest = manifest_for(name)
    path = conf.backup_dir() / name
    local = path.exists()
    remote = not local and storage.enabled() and _reachable(lambda: storage.exists(name))
    if not local and not remote and manifest is None:
        raise BackupNotFound(f"backup {name} not found (neither in {conf.backup_dir()} nor in S3)")
    checks = [_manifest(manifest, local=local, remote=remote)]
    if manifest is not None:
        checks += [
            _checksum(name, path, manifest, local=local) if checksum else None,
            _encryption(name, path, local=local),
            _pg_version(name, path, local=local),
            _migrations(manifest),
            _space(manifest, local=local),
            _duration(name, manifest),
            _secrets(manifest),
        ]
    checks += [_lock() if lock else None, _s3(name, local=local)]
    return [check for check in checks if check is not None]



def record_block(check: str) -> None:
    """Count one restore refused by a preflight check in Redis (never raises); metrics reads the counts."""
    try:
        keys.client().incr(keys.key("preflight-blocks", check))
    except Exception:  # noqa: BLE001 - Redis down: the refusal itself is what matters
        log.warning("backups: could not count a %s preflight block in Redis", check)


def block_counts() -> dict[str, int]:
    """Restores refused by each check, counted across processes."""
    values = keys.client().mget([keys.key("preflight-blocks", check) for check in CHECKS])
    return {check: int(v or 0) for check, v in zip(CHECKS, values)}

def require_clear(*, name: str, checksum: bool = True, lock: bool = True) -> list[Check]:
    """Run the preflight; raise PreflightBlocked naming every block (each counted in
    <p>backup_preflight_blocks_total{check}), else return the checks."""
    checks = backup_preflight(name=name, checksum=checksum, lock=lock)
    blocks = [c for c in checks if c.status == BLOCK]
    for check in blocks:
        record_block(check.name)
    if blocks:
        detail = "; ".join(f"{c.name}: {c.detail}" for c in blocks)
        raise PreflightBlocked(f"restore of {name} refused by its preflight, nothing was changed ({detail}). "
                               "Use --skip-preflight only if you know why each check blocks.")
    return checks


def secrets_fingerprint() -> dict[str, str]:
    """HMAC-SHA256 of a fixed label keyed by each signing secret, first 16 hex digits; never the secret."""
    return {setting: hmac.new(str(getattr(settings, setting, "") or "").encode(), conf.fingerprint_label(),
                              hashlib.sha256).hexdigest()[:16]
            for setting in conf.fingerprint_settings()}


# --- the checks ---------------------------------------------------------------------------


def _manifest(manifest: dict | None, *, local: bool, remote: bool) -> Check:
    where = "local" if local else "S3 only" if remote else "missing"
    if manifest is None:
        return Check("manifest", BLOCK, "no manifest: the backup's checksum cannot be verified", {"file": where})
    size = manifest.get("size") or 0
    return Check("manifest", OK, f"manifest found; file {where}, {size / 1e6:,.1f} MB",
                 {"file": where, "sizeBytes": size, "sqlBytes": _sql_bytes(manifest)})


def _checksum(name: str, path: Path, manifest: dict, *, local: bool) -> Check:
    expected = manifest.get("sha256") or ""
    if not expected:
        return Check("checksum", BLOCK, "the manifest records no checksum")
    if local:
        actual = sha256_of(path)
        if actual != expected:
            return Check("checksum", BLOCK, f"sha256 mismatch: manifest {expected[:12]}…, file {actual[:12]}…")
        return Check("checksum", OK, f"sha256 {expected[:12]}… matches the file")
    recorded = _reachable(lambda: storage.object_metadata(name).get("sha256"))
    if recorded and recorded != expected:
        return Check("checksum", BLOCK, "the S3 object's recorded sha256 differs from the manifest")
    return Check("checksum", OK, "in S3 only: checked against the manifest after the download, before loading")


def _encryption(name: str, path: Path, *, local: bool) -> Check | None:
    encrypted = names.is_encrypted(name)
    if not encrypted and not crypto.enabled():
        return None
    try:
        if encrypted and local:
            crypto.check_identity(path)
        crypto.check_safety_backup_readable()
    except crypto.EncryptionError as exc:
        return Check("encryption", BLOCK, str(exc))
    if encrypted:
        return Check("encryption", OK, "age-encrypted; BACKUP_AGE_IDENTITY_FILE opens it" if local else
                     "age-encrypted; opened after the download")
    return Check("encryption", OK, "the safety backup will be encrypted and verified with BACKUP_AGE_IDENTITY_FILE")


def _pg_version(name: str, path: Path, *, local: bool) -> Check:
    if names.is_encrypted(name):
        return _pg_version_of(_decrypted_head(path) if local else None)
    head = path.open("rb").read(HEADER_BYTES) if local else _reachable(lambda: storage.read_head(name, HEADER_BYTES))
    return _pg_version_of(head)


def _decrypted_head(path: Path) -> bytes | None:
    try:
        with crypto.decrypting(path) as plain:
            return plain.read(HEADER_BYTES)
    except crypto.EncryptionError:
        return None  # the encryption check says why


def _pg_version_of(head: bytes | None) -> Check:
    dumped_by = _dumped_by(head or b"")
    with pg.raw_connection() as conn:
        server, server_num = pg.server_version(conn.cursor())
    server_major = pg.server_major(server_num)
    numbers = {"dumpPgDump": dumped_by, "server": server}
    if dumped_by is None:
        return Check("pg_version", WARN, "the dump header names no pg_dump version", numbers)
    if int(dumped_by.split(".")[0]) > server_major:
        return Check("pg_version", BLOCK, f"written by pg_dump {dumped_by}, newer than this PostgreSQL {server}: "
                                          "it emits settings this server does not know", numbers)
    return Check("pg_version", OK, f"pg_dump {dumped_by}, server {server}", numbers)


def _dumped_by(head: bytes) -> str | None:
    try:
        text = zlib.decompressobj(31).decompress(head)
    except zlib.error:
        return None
    match = DUMPED_BY.search(text)
    if not match:
        return None
    return match.group(1).decode() + (f".{match.group(2).decode()}" if match.group(2) else "")


def _migrations(manifest: dict) -> Check:
    known = {f"{app}.{migration}" for app, migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    recorded = set(manifest.get("migrations") or [])
    unknown, missing = sorted(recorded - known), sorted(known - recorded)
    numbers = {"unknownToThisCode": len(unknown), "notInBackup": len(missing)}
    if unknown:
        return Check("migrations", BLOCK, f"{len(unknown)} migration(s) this code does not know "
                                          f"({', '.join(unknown[:3])}): deploy that version first", numbers)
    if missing:
        return Check("migrations", WARN, f"the backup predates {len(missing)} migration(s) ({', '.join(missing[:3])}):"
                                         " run `manage.py migrate` after the restore", numbers)
    return Check("migrations", OK, f"{len(recorded)} migrations, the same as this code", numbers)


def _space(manifest: dict, *, local: bool) -> Check:
    download = 0 if local else manifest.get("size") or 0
    safety = int(_newest_backup_size(manifest) * SAFETY_PER_BACKUP_BYTE)
    store = conf.backup_dir() if conf.backup_dir().exists() else conf.backup_dir().parent
    store_free = shutil.disk_usage(store).free
    schema = _sql_bytes(manifest)  # the new schema loads beside the old one until COMMIT
    data_dir = _data_directory()
    numbers = {"downloadBytes": download, "safetyBackupBytes": safety, "backupDirFreeBytes": store_free,
               "newSchemaBytes": schema, "databaseFreeBytes": None}
    if store_free < download + safety:
        return Check("space", BLOCK, f"{conf.backup_dir()} has {store_free / 1e9:.2f} GB free; the download and the "
                                     f"safety backup need about {(download + safety) / 1e9:.2f} GB", numbers)
    if data_dir is None:
        return Check("space", WARN, f"backup store ok; the database server's disk is not visible from here: it needs"
                                    f" about {schema / 1e9:.2f} GB free beside the live data", numbers)
    numbers["databaseFreeBytes"] = db_free = shutil.disk_usage(data_dir).free
    if db_free < schema:
        return Check("space", BLOCK, f"the database disk has {db_free / 1e9:.2f} GB free; the old and the new schema "
                                     f"side by side need about {schema / 1e9:.2f} GB more", numbers)
    return Check("space", OK, f"{store_free / 1e9:.1f} GB free for {(download + safety) / 1e9:.2f} GB of files, "
                              f"{db_free / 1e9:.1f} GB on the database disk for {schema / 1e9:.2f} GB", numbers)


def _sql_bytes(manifest: dict) -> int:
    return int(manifest.get("sqlSize") or (manifest.get("size") or 0) * SQL_PER_GZIP_BYTE)


def _newest_backup_size(manifest: dict) -> int:
    """The safety backup dumps today's data: the newest successful backup is its best size guide."""
    newest = (Backup.objects.filter(status=Backup.Status.SUCCESS, size__gt=0)
              .exclude(kind=Backup.Kind.SAFETY).order_by("-finished_at").first())
    return newest.size if newest else manifest.get("size") or 0


def _data_directory() -> str | None:
    """PostgreSQL's data directory when this role may read it and it is on this host's filesystem."""
    try:
        with pg.raw_connection() as conn:
            directory = conn.execute("SELECT current_setting('data_directory')").fetchone()[0]
    except Exception:  # noqa: BLE001 - not superuser / pg_read_all_settings: unknown, not an error
        return None
    return directory if directory and Path(directory).exists() else None


def _duration(name: str, manifest: dict) -> Check:
    size = manifest.get("size") or 0
    source = _measured_reference()
    if source is None or not size:
        return Check("duration", WARN, "no drill or restore measured yet: run `manage.py backup drill` for an estimate")
    seconds, ref_size, label = source
    estimate = round(seconds * size / ref_size, 1)
    return Check("duration", OK, f"about {estimate:.0f} s, from {label} ({seconds:.1f} s for "
                                 f"{ref_size / 1e6:,.1f} MB), scaled by size",
                 {"estimateSeconds": estimate, "sourceSeconds": seconds, "sourceBytes": ref_size, "source": label})


def _measured_reference() -> tuple[float, int, str] | None:
    """The newest measured drill or restore: (seconds, file size, "drill of NAME on DATE")."""
    rows = Backup.objects.filter(size__gt=0)
    drill = rows.filter(drill_duration_seconds__isnull=False, verified_at__isnull=False).order_by("-verified_at").first()
    restore = (rows.filter(restore_duration_seconds__isnull=False, restored_at__isnull=False, restore_status="success")
               .order_by("-restored_at").first())
    candidates = [(drill.verified_at, drill.drill_duration_seconds, drill.size, f"the drill of {drill.name}")
                  if drill else None,
                  (restore.restored_at, restore.restore_duration_seconds, restore.size,
                   f"the restore of {restore.name}") if restore else None]
    candidates = [c for c in candidates if c]
    if not candidates:
        return None
    when, seconds, size, label = max(candidates, key=lambda c: c[0])
    return seconds, size, f"{label} on {when:%Y-%m-%d}"


def _secrets(manifest: dict) -> Check:
    recorded = manifest.get("secretsFingerprint") or {}
    if not recorded:
        return Check("secrets", WARN, "the backup records no secrets fingerprint (made before fingerprints)")
    here = secrets_fingerprint()
    differ = sorted(s for s in recorded if s in here and recorded[s] != here[s])
    if differ:
        return Check("secrets", WARN, f"{', '.join(differ)} differ(s) from the host that made the backup: restored "
                                      "sessions and tokens will not be valid here, users sign in again",
                     {"differ": differ})
    return Check("secrets", OK, "signing secrets match the host that made the backup", {"differ": []})


def _lock() -> Check:
    try:
        holder = lock.current_holder() if lock.busy() else None
    except Exception:  # noqa: BLE001 - Redis down: the restore itself will say so
        return Check("lock", WARN, "Redis is unreachable: the lock could not be checked")
    if holder:
        return Check("lock", BLOCK, f"another backup or restore is running ({holder})")
    return Check("lock", OK, "no backup or restore is running")


def _s3(name: str, *, local: bool) -> Check | None:
    if not storage.enabled():
        return None
    if _reachable(storage.bucket_reachable):
        return _object_lock(_reachable(storage.lock_configuration))
    if local:
        return Check("s3", WARN, f"bucket {conf.s3_bucket()} unreachable; the local copy will be used")
    return Check("s3", BLOCK, f"the backup is only in S3 and bucket {conf.s3_bucket()} is unreachable")


def _object_lock(config: dict | None) -> Check:
    """The bucket is reachable; say how its Object Lock matches BACKUP_S3_OBJECT_LOCK_DAYS."""
    bucket, days = conf.s3_bucket(), conf.s3_object_lock_days()
    rule = ((config or {}).get("Rule") or {}).get("DefaultRetention") or {}
    numbers = {"objectLock": bool(config), "bucketDefaultRetention": rule or None, "uploadLockDays": days}
    if days and not config:
        return Check("s3", WARN, f"bucket {bucket} reachable but has no Object Lock: uploads asking for "
                                 f"BACKUP_S3_OBJECT_LOCK_DAYS={days} will fail", numbers)
    if config:
        mode = f"{conf.s3_object_lock_mode()} for {days} days" if days else "bucket default only"
        return Check("s3", OK, f"bucket {bucket} reachable; Object Lock enabled ({mode})", numbers)
    return Check("s3", OK, f"bucket {bucket} reachable; no Object Lock (copies can be deleted with the "
                           "app's credentials)", numbers)


def _reachable(call):
    """`call()`, or None when the store cannot be reached (preflight reports, never raises)."""
    try:
        return call()
    except Exception:  # noqa: BLE001 - botocore raises many kinds; all mean "cannot tell from here"
        return None
