"""Restore drill: restore into a scratch database and compare with the manifest."""
from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path

from django.utils import timezone

from .. import in_use, loader, names, pg
from ..errors import BackupError, BackupNotFound
from ..metrics import record_failure
from ..models import Backup
from .create import phased
from .fetch import ChecksumRefused, fetch_verified

log = logging.getLogger("backups_app.services")




def backup_drill(*, name: str | None = None, progress=None) -> Backup:
    """Restore a backup (default: the newest successful one) into a scratch database, compare it
    with its manifest (row counts, migrations), drop it; record verified_at and the restore time."""
    name = names.validate(name) if name else _newest_success()
    with in_use.using(name):
        try:
            path, manifest = fetch_verified(name, operation="drill")
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
    with scratch_database(path, progress, phase="drill") as (scratch, duration):
        _compare(scratch, manifest)
    return duration


@contextmanager
def scratch_database(path: Path, progress, *, phase: str):
    """Load backup file `path` into a new scratch database (never the live one); yield (its name,
    load seconds); drop it afterwards whatever happens."""
    scratch = f"{pg.settings_dict()['NAME']}_drill_{int(time.time())}_{os.getpid()}"[-63:]
    with pg.raw_connection(autocommit=True) as admin:
        major = pg.server_major(pg.server_version(admin.cursor())[1])
        admin.execute(f"CREATE DATABASE {pg.quote_ident(scratch)} TEMPLATE template0")
        try:
            began = time.monotonic()
            loader.load(path, psql=pg.binary("psql", major=major), env=pg.libpq_env(database=scratch),
                        progress=phased(progress, phase))
            yield scratch, time.monotonic() - began
        finally:
            pg.drop_database(admin, scratch)


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
