"""Verify: check backup files against their manifests."""
from __future__ import annotations

import logging

from .. import conf, in_use, loader, names
from ..errors import BackupError
from .fetch import fetch_verified

log = logging.getLogger("backups_app.services")




def backup_verify(*, name: str | None = None) -> list[dict]:
    """Check checksum and gzip/SQL completeness of one backup or of every local one.

    Returns [{"name", "ok", "message"}]; a backup stored only in S3 is downloaded first.
    """
    targets = [names.validate(name)] if name else sorted(
        p.name for p in conf.backup_dir().glob(names.PATTERN) if names.is_valid(p.name))
    return [_verify_one(target) for target in targets]


def _verify_one(name: str) -> dict:
    try:
        with in_use.using(name):
            path, _ = fetch_verified(name, operation="verify")
            size = loader.check_complete(path)
    except BackupError as exc:
        return {"name": name, "ok": False, "message": str(exc)}
    return {"name": name, "ok": True, "message": f"checksum ok, {size / 1e6:.1f} MB of SQL, dump complete"}
