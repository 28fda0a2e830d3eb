"""Recover after a killed create or restore: settle what it left, end a dead maintenance."""
from __future__ import annotations

import logging

from django.utils import timezone

from .. import conf, loader, lock, maintenance, pg
from ..errors import Busy
from ..metrics import record_failure
from ..models import Backup
from ..selectors import has_unsettled
from ..signals import restore_committed

log = logging.getLogger("backups_app.services")
INTERRUPTED_RESTORE = "interrupted: the restorer stopped before COMMIT; rolled back, the live data is unchanged"


def settle_interrupted() -> dict:
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
        mark_restore(name, status="failed", error=INTERRUPTED_RESTORE)
        record_failure("restore")
        settled["rolled_back"].append(name)
    for name in Backup.objects.filter(restore_status=loader.COMMITTED).values_list("name", flat=True):
        announce_restore(name, duration=None, note="finished by recovery: the restorer died after COMMIT")
        settled["committed"].append(name)
    return settled


def _refuse_while_a_restore_session_runs() -> None:
    """psql may still be applying COMMIT for a restorer that just died: wait for it to end."""
    with pg.raw_connection(autocommit=True) as conn:
        busy = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name = %s AND backend_xid IS NOT NULL "
                            "AND pid <> pg_backend_pid()", (conf.pg_application_name(),)).fetchone()[0]
    if busy:
        raise Busy("a restore's psql session is still running in the database; try again in a moment")


def backup_recover(*, wait: float = 0) -> dict:
    """What an operator runs after a killed create or restore (`manage.py backup recover`).

    Takes the backup lock — so it is refused (Busy) while a live holder runs — settles what the
    dead process left (see settle_interrupted: counted failures, a rolled-back or a committed
    restore, restore_committed sent for the latter) and turns maintenance mode off.
    Returns settle_interrupted's dict plus "maintenance": whether it was on.
    """
    with lock.exclusive("recover", wait=wait):
        settled = settle_interrupted()
        settled["maintenance"] = maintenance.in_maintenance()
        maintenance.set_maintenance(False)
    return settled


def settle_if_interrupted() -> dict | None:
    """The periodic check (Celery beat, every minute): the same as backup_recover, only when a row
    says a process died mid-way and nobody holds the lock; maintenance is turned off only when it
    belonged to a dead restore. None when there was nothing to do."""
    if not has_unsettled() or lock.busy():
        return None
    with lock.exclusive("settle"):
        settled = settle_interrupted()
        if settled["rolled_back"] or settled["committed"]:
            maintenance.set_maintenance(False)
    return settled


def announce_restore(name: str, *, duration: float | None, note: str = "") -> str:
    """Send restore_committed, then mark the restore a success; "" when done, else what failed
    (the restore then stays 'committed', and recovery sends the signal again)."""
    results = restore_committed.send_robust(sender="backups_app", name=name)
    failed = "; ".join(f"{getattr(receiver, '__qualname__', receiver)} failed: {error}"
                       for receiver, error in results if isinstance(error, Exception))
    if failed:
        log.error("backups: restore of %s committed but %s", name, failed)
        Backup.objects.filter(name=name).update(restore_error=f"committed, but {failed}"[:4000])
        return failed
    mark_restore(name, status="success", error=note, duration=duration)
    return ""


def mark_restore(name: str, *, status: str, error: str = "", duration: float | None = None) -> None:
    fields = {"restore_status": status, "restore_error": error[:4000]}
    if status == "success":
        fields.update(restored_at=timezone.now(),
                      restore_duration_seconds=round(duration, 3) if duration is not None else None)
    Backup.objects.filter(name=name).update(**fields)
