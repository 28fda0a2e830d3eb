"""A backup file and its manifest, local else from S3, checked against the manifest before use."""
from __future__ import annotations

import logging
from pathlib import Path

from .. import conf, loader, names, storage
from ..errors import BackupError, BackupNotFound
from ..metrics import record_failure
from ..models import Backup
from ..selectors import manifest_for
from .create import ensure_dir

log = logging.getLogger("backups_app.services")


class ChecksumRefused(loader.CorruptBackup):
    """The file does not match its manifest's checksum; nothing was touched."""


DAMAGED = "damaged: "  # error prefix of a backup whose file failed its checksum




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
        ensure_dir()
        storage.download(name, path, sha256=manifest["sha256"])
        Backup.objects.filter(name=name).update(local=True)
    if manifest is None:
        raise BackupError(f"backup {name} has no manifest ({name}.json); its checksum cannot be verified")
    return path, manifest


def fetch_verified(name: str, *, operation: str) -> tuple[Path, dict]:
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
