"""PITR metrics, read at scrape time (only when BACKUP_PITR_ENABLED), under the
project's metrics prefix:

<prefix>pitr_wal_archive_age_seconds      how long written WAL has waited for the archive: 0 when
                                          everything written is archived (an idle database is not a
                                          stall), else seconds since the last successful archive
<prefix>pitr_last_archived_wal_timestamp_seconds, <prefix>pitr_archive_failures_total
                                          pg_stat_archiver's last_archived_time and failed_count
<prefix>pitr_last_drill_timestamp_seconds (0 = never), <prefix>pitr_drill_duration_seconds,
<prefix>pitr_failures_total{operation}    base backup, retention, restore, drill failures (Redis)
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ops import series

from .. import conf, keys, pg
from .drill import last_success

log = logging.getLogger(__name__)
OPERATIONS = ("pitr_base", "pitr_cleanup", "pitr_restore", "pitr_drill")

ARCHIVER_SQL = """
SELECT extract(epoch FROM last_archived_time), last_archived_wal, failed_count,
       pg_walfile_name(pg_current_wal_lsn()), extract(epoch FROM pg_postmaster_start_time())
FROM pg_stat_archiver
"""


def archiver_state(cursor) -> dict:
    """pg_stat_archiver plus whether WAL written since the last archived segment is still waiting.

    pg_walfile_name() of a position exactly at a segment's end names that segment: right after a
    switch the current position's segment is the one just archived, so nothing waits.
    """
    cursor.execute(ARCHIVER_SQL)
    archived_at, last_wal, failed, current_wal, started = cursor.fetchone()
    last_segment = (last_wal or "")[:24]
    waiting = current_wal > last_segment
    since = float(archived_at) if archived_at is not None else float(started)
    return {"last_archived_at": float(archived_at or 0), "failed": int(failed or 0), "waiting": waiting,
            "age": max(0.0, time.time() - since) if waiting else 0.0}


class PitrCollector:
    def describe(self):
        return []

    def collect(self):
        if not conf.pitr_enabled():
            return
        yield from self._archiver()
        yield from self._drills()
        yield from self._failures()

    def _archiver(self):
        try:
            with pg.raw_connection() as conn:
                state = archiver_state(conn.cursor())
        except Exception:  # noqa: BLE001 - a scrape must not fail because the database is down
            log.warning("backups: PITR metrics could not read pg_stat_archiver")
            return
        for name, doc, value in (
                ("pitr_wal_archive_age_seconds", "Seconds written WAL has waited for the archive (0: all archived)",
                 state["age"]),
                ("pitr_last_archived_wal_timestamp_seconds", "Unix time the newest WAL segment was archived",
                 state["last_archived_at"])):
            gauge = GaugeMetricFamily(series.name(name), doc)
            gauge.add_metric([], value)
            yield gauge
        counter = CounterMetricFamily(series.name("pitr_archive_failures"), "Failed WAL archive attempts "
                                      "(pg_stat_archiver.failed_count, since the stats were reset)")
        counter.add_metric([], state["failed"])
        yield counter

    def _drills(self):
        last = last_success() or {}

        finished = datetime.fromisoformat(last["finishedAt"]).timestamp() if last.get("finishedAt") else 0.0
        for name, doc, value in (
                ("pitr_last_drill_timestamp_seconds", "Unix time of the newest successful PITR drill (0: never)",
                 finished),
                ("pitr_drill_duration_seconds", "Duration of the newest successful PITR drill",
                 float(last.get("durationSeconds") or 0))):
            gauge = GaugeMetricFamily(series.name(name), doc)
            gauge.add_metric([], value)
            yield gauge

    def _failures(self):
        try:
            values = keys.client().mget([keys.key("failures", op) for op in OPERATIONS])
        except Exception:  # noqa: BLE001
            log.warning("backups: PITR metrics could not read failure counters from Redis")
            return
        counter = CounterMetricFamily(series.name("pitr_failures"), "Failed PITR operations", labels=["operation"])
        for operation, value in zip(OPERATIONS, values):
            counter.add_metric([operation.removeprefix("pitr_")], int(value or 0))
        yield counter


_registered = False


def register_default() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(PitrCollector())
        _registered = True
