"""Reads: the list of backups, one backup's manifest, freshness for health checks, metric values."""
from __future__ import annotations

import json
from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from . import conf, kept, lock, names, storage
from .models import Backup


def backup_list(*, include_failed: bool = False):
    """Backups newest first: successful ones, plus the one running now; failed attempts on request."""
    rows = Backup.objects.all()
    if not include_failed:
        shown = [Backup.Status.SUCCESS, Backup.Status.PENDING]
        if lock.busy():  # a 'running' row without a live lock holder is a crash leftover
            shown.append(Backup.Status.RUNNING)
        rows = rows.filter(status__in=shown)
    return rows


def has_unsettled() -> bool:
    """A backup or a restore is recorded as under way (alive, or left so by a killed process)."""
    return Backup.objects.filter(Q(status=Backup.Status.RUNNING)
                                 | Q(restore_status__in=("running", "committed"))).exists()


def backup_get(*, name: str) -> Backup | None:
    """The Backup row for a valid name, or None. Raises names.InvalidName for anything else."""
    return Backup.objects.filter(name=names.validate(name)).first()


def manifest_for(name: str) -> dict | None:
    """The manifest of `name`: from the database, else `<name>.json` beside the file, else from S3."""
    row = backup_get(name=name)
    if row and row.status == Backup.Status.SUCCESS and row.sha256:
        return manifest_of(row)
    beside = conf.backup_dir() / names.manifest_name(name)
    if beside.exists():
        return json.loads(beside.read_text())
    if storage.enabled():
        data = storage.read_manifest(name)
        if data:
            return json.loads(data)
    return None


def manifest_of(row: Backup) -> dict:
    return {
        "name": row.name, "format": "plain SQL (pg_dump --no-owner --no-privileges), gzip"
        + (", age-encrypted" if names.is_encrypted(row.name) else ""),
        "sha256": row.sha256, "size": row.size, "sqlSize": row.sql_size,
        "secretsFingerprint": row.secrets_fingerprint,
        "encryption": "age" if names.is_encrypted(row.name) else None, "plaintextSha256": row.plaintext_sha256 or None,
        "startedAt": _iso(row.started_at), "finishedAt": _iso(row.finished_at),
        "durationSeconds": row.duration_seconds, "postgresVersion": row.postgres_version,
        "appVersion": row.app_version, "migrations": row.migrations, "rowCounts": row.row_counts,
        "excludedTableData": list(kept.excluded_data_tables()), "kind": row.kind,
    }


def _iso(value):
    return value.isoformat() if value else None


def backup_stats() -> dict:
    """Values behind the metrics: newest success (finish time, size, duration) and newest drill."""
    newest = Backup.objects.filter(status=Backup.Status.SUCCESS).order_by("-finished_at").first()
    verified = Backup.objects.filter(verified_at__isnull=False).order_by("-verified_at").first()
    return {
        "last_success": newest.finished_at.timestamp() if newest else 0,
        "size": newest.size if newest else 0,
        "duration": newest.duration_seconds if newest else 0,
        "last_verified": verified.verified_at.timestamp() if verified else 0,
        "drill_duration": verified.drill_duration_seconds if verified else 0,
    }


def backup_freshness(*, now=None) -> dict:
    """For health checks: {"status": "up"|"down"|"disabled", "lastSuccessAt", "ageSeconds", "lastVerifiedAt"}.

    "down" when backups are enabled and the newest successful backup is older than
    BACKUP_MAX_AGE_HOURS (or there is none); "disabled" when BACKUP_ENABLED is false.
    """
    now = now or timezone.now()
    last = Backup.objects.filter(status=Backup.Status.SUCCESS).aggregate(
        success=Max("finished_at"), verified=Max("verified_at"))
    age = (now - last["success"]).total_seconds() if last["success"] else None
    if not conf.enabled():
        status = "disabled"
    elif age is None or age > timedelta(hours=conf.max_age_hours()).total_seconds():
        status = "down"
    else:
        status = "up"
    return {"status": status, "lastSuccessAt": _iso(last["success"]),
            "ageSeconds": round(age, 1) if age is not None else None, "lastVerifiedAt": _iso(last["verified"])}


def last_success_timestamp() -> float | None:
    """Unix time the newest successful backup finished, or None (read by backups_app.probes.Backups)."""
    finished = Backup.objects.filter(status=Backup.Status.SUCCESS).aggregate(at=Max("finished_at"))["at"]
    return finished.timestamp() if finished else None
