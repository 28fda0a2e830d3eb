"""Celery tasks for PITR (registered through backups_app.tasks): thin callers of pitr modules."""
import logging

from celery import shared_task

from .. import conf, maintenance
from .barman import PitrError
from .base import apply_retention, base_backup
from .cluster import in_recovery
from .drill import run_drill

log = logging.getLogger(__name__)


def _may_run(what: str) -> bool:
    if not conf.pitr_enabled():
        return False
    if maintenance.in_maintenance():
        log.warning("backups: scheduled %s skipped, a restore is running", what)
        return False
    return True


@shared_task(name="backups_app.tasks.scheduled_pitr_base_backup", ignore_result=True)
def scheduled_pitr_base_backup():
    """Beat (BACKUP_BASE_SCHEDULE): a base backup, then retention by BACKUP_PITR_RETENTION_DAYS.

    Sent to BACKUP_PITR_BASE_QUEUE (CELERY_TASK_ROUTES): the worker consuming it reads PGDATA.
    Failures are counted (<prefix>pitr_failures_total{operation="base"|"cleanup"}) and logged.
    Several queues (one pitr-base worker beside each member of a replicated cluster): each gets a copy,
    and only the copy whose database is the primary backs up.
    """
    if not _may_run("base backup"):
        return
    if _not_here():
        return
    try:
        base_backup()
    except PitrError as exc:
        log.error("backups: %s", exc)
        return  # no retention after a failed backup: the older ones are all there is
    try:
        apply_retention()
    except PitrError as exc:
        log.error("backups: %s", exc)


def _not_here() -> bool:
    """True when this copy of the base backup is a standby's: it skips, the primary's worker takes it.

    A member that cannot be reached is skipped as well when there are several (the primary's copy is
    the one that counts; the base backup's age alert says when none ran); with one queue the backup
    itself fails on the same connection and counts the failure.
    """
    try:
        standby = in_recovery()
    except PitrError as exc:
        if len(conf.pitr_base_queues()) > 1:
            log.warning("backups: base backup skipped on this member: %s", exc)
            return True
        return False
    if standby:
        log.info("backups: base backup skipped on this member: it is a standby (the primary's worker takes it)")
    return standby


@shared_task(name="backups_app.tasks.scheduled_pitr_drill", ignore_result=True)
def scheduled_pitr_drill():
    """Beat (BACKUP_PITR_DRILL_SCHEDULE): recover to a recent second and compare with the live data."""
    if not _may_run("PITR drill"):
        return
    try:
        entry = run_drill()
        log.info("backups: PITR drill passed in %.1fs (target %s)", entry["durationSeconds"], entry["target"])
    except PitrError as exc:
        log.error("backups: %s", exc)
