"""Base backups (barman-cloud-backup) and retention by days (barman-cloud-backup-delete)."""
from __future__ import annotations

import logging
import time

from django.utils import timezone

from .. import conf
from ..metrics import record_failure
from .barman import PitrError, cloud_args, destination, run, tool
from .cluster import conninfo_args

log = logging.getLogger(__name__)


def base_backup(*, immediate: bool = False) -> dict:
    """Take a base backup of the live cluster into the bucket; return {"name", "seconds"}.

    Runs on the database host as the data owner: barman-cloud-backup starts the backup with
    pg_backup_start and reads PGDATA's files. A spread checkpoint (default) keeps the I/O gentle;
    `immediate` starts at once (operators waiting, tests, drills).
    """
    name = conf.pitr_server_name() + "-" + timezone.now().strftime("%Y%m%dT%H%M%SZ")
    began = time.monotonic()
    connect, secret_env = conninfo_args()
    cmd = [tool("barman-cloud-backup"), "--gzip", *cloud_args(), *connect, "-n", name,
           *(["--immediate-checkpoint"] if immediate else []), destination(), conf.pitr_server_name()]
    try:
        run(cmd, what="base backup (barman-cloud-backup)", timeout=24 * 3600, env=secret_env)
    except PitrError:
        record_failure("pitr_base")
        raise
    seconds = time.monotonic() - began
    log.info("backups: base backup %s taken in %.1fs", name, seconds)
    return {"name": name, "seconds": seconds}


def retention_policy() -> str:
    return f"RECOVERY WINDOW OF {conf.pitr_retention_days()} DAYS"


def apply_retention() -> None:
    """Delete base backups outside the recovery window and the WAL only they needed.

    barman-cloud-backup-delete keeps the newest backup older than the window (so every second of
    the window stays recoverable) and deletes WAL older than the oldest kept backup's begin_wal
    only: no kept backup ever loses a segment it needs.
    """
    cmd = [tool("barman-cloud-backup-delete"), *cloud_args(), "-r", retention_policy(), destination(),
           conf.pitr_server_name()]
    try:
        run(cmd, what="PITR retention (barman-cloud-backup-delete)", timeout=3600, as_owner=False)
    except PitrError:
        record_failure("pitr_cleanup")
        raise
