"""Celery tasks: thin callers of services. Scheduled ones skip while a restore holds the site."""
import logging

from celery import shared_task

from . import conf, maintenance, services
from .errors import BackupError, Busy

log = logging.getLogger(__name__)


@shared_task(name="backups_app.tasks.create_backup", ignore_result=True)
def create_backup(name=None, kind="manual", reservation=None):
    """Run a backup queued by the API or the admin (a pending row called `name`), under the lock
    its request reserved (`reservation`, lock.reserve)."""
    try:
        services.backup_create(name=name, kind=kind, reservation=reservation)
    except BackupError as exc:
        log.error("backups: backup %s: %s", name, exc)


@shared_task(name="backups_app.tasks.restore_backup", ignore_result=True)
def restore_backup(name, reservation=None):
    """Run a restore queued by the API or the admin, under the lock its request reserved."""
    try:
        services.backup_restore(name=name, reservation=reservation)
    except BackupError as exc:
        log.error("backups: restore of %s: %s", name, exc)


@shared_task(name="backups_app.tasks.restore_pages", ignore_result=True)
def restore_pages(name, page_ids=(), folder=""):
    """Bring pages back from a backup (queued by the admin): a scratch load, never the live database."""
    try:
        result = services.backup_restore_pages(name=name, page_ids=page_ids, folder=folder)
        log.info("backups: restore-page from %s: %s", name, result)
    except BackupError as exc:
        log.error("backups: %s", exc)


@shared_task(name="backups_app.tasks.settle_interrupted", ignore_result=True)
def settle_interrupted():
    """Beat, every minute: a create or restore whose process died is recorded as such (and a restore
    that committed before its restorer died gets its restore_committed signal: caches dropped)."""
    try:
        settled = services.settle_if_interrupted()
    except Busy:
        return
    except BackupError as exc:
        log.error("backups: settling an interrupted operation failed: %s", exc)
        return
    if settled and any(settled.values()):
        log.warning("backups: settled after a dead process: %s", settled)


@shared_task(name="backups_app.tasks.scheduled_backup", ignore_result=True)
def scheduled_backup():
    """Beat: create on BACKUP_SCHEDULE, then apply retention."""
    if not _scheduled_may_run("backup"):
        return
    try:
        row = services.backup_create(kind="scheduled")
        log.info("backups: scheduled backup %s written (%s bytes)", row.name, row.size)
    except Busy as exc:
        log.warning("backups: scheduled backup skipped: %s", exc)
        return
    except BackupError as exc:
        log.error("backups: %s", exc)
    try:
        removed = services.backup_cleanup(wait=30)
        if removed:
            log.info("backups: retention removed %s", ", ".join(removed))
    except BackupError as exc:
        log.error("backups: cleanup failed: %s", exc)


@shared_task(name="backups_app.tasks.scheduled_drill", ignore_result=True)
def scheduled_drill():
    """Beat: restore the newest backup into a scratch database and check it (BACKUP_DRILL_SCHEDULE)."""
    if not _scheduled_may_run("drill"):
        return
    try:
        row = services.backup_drill()
        log.info("backups: drill of %s passed in %.1fs", row.name, row.drill_duration_seconds)
    except BackupError as exc:
        log.error("backups: %s", exc)


def _scheduled_may_run(what: str) -> bool:
    """Scheduled jobs do nothing unless BACKUP_ENABLED, and skip while a restore holds the site."""
    if not conf.enabled():
        return False
    if maintenance.in_maintenance():
        log.warning("backups: scheduled %s skipped, a restore is running", what)
        return False
    return True

from .pitr import tasks as _pitr_tasks  # noqa: E402,F401 - PITR tasks, found by Celery's autodiscovery here
