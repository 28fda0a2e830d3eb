"""Backup metrics, derived at scrape time so every process (web, worker, beat) reports the same values.

Gauges come from the Backup table (the truth, shared by all processes); the failures counter lives
in Redis (INCR is atomic across workers). Register with any CollectorRegistry:
`registry.register(BackupCollector())` (apps.ready registers it on prometheus_client's REGISTRY).
"""
from __future__ import annotations

import logging

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from ops import series

from . import keys
from .preflight import block_counts
from .selectors import backup_stats

log = logging.getLogger(__name__)
OPERATIONS = ("create", "upload", "restore", "verify", "drill", "cleanup")


def record_failure(operation: str) -> None:
    """Count one failed backup operation (never raises: metrics must not break the operation)."""
    try:
        keys.client().incr(keys.key("failures", operation))
    except Exception:  # noqa: BLE001 - Redis down: the failure is still logged and recorded in the DB
        log.warning("backups: could not count a %s failure in Redis", operation)


def failure_counts() -> dict[str, int]:
    conn = keys.client()
    values = conn.mget([keys.key("failures", op) for op in OPERATIONS])
    return {op: int(v or 0) for op, v in zip(OPERATIONS, values)}


class BackupCollector:
    """<p>backup_last_success_timestamp_seconds, ..._last_verified_timestamp_seconds, ..._size_bytes,
    ..._duration_seconds (gauges of the newest successful backup), ..._failures_total{operation} and
    ..._preflight_blocks_total{check}."""

    def describe(self):
        return []  # values are read at scrape time; nothing to describe ahead

    def collect(self):
        yield from self._from_database()
        yield from self._from_redis()

    def _from_database(self):
        try:
            stats = backup_stats()
        except Exception:  # noqa: BLE001 - a scrape must not fail because the database is down
            log.warning("backups: metrics could not read the Backup table")
            return
        for name, doc, value in (
            ("backup_last_success_timestamp_seconds", "Unix time the newest successful backup finished",
             stats["last_success"]),
            ("backup_last_verified_timestamp_seconds", "Unix time of the newest successful restore drill",
             stats["last_verified"]),
            ("backup_size_bytes", "Size of the newest successful backup file", stats["size"]),
            ("backup_duration_seconds", "Duration of the newest successful backup", stats["duration"]),
            ("backup_restore_duration_seconds", "Restore duration measured by the newest drill",
             stats["drill_duration"]),
        ):
            gauge = GaugeMetricFamily(series.name(name), doc)
            gauge.add_metric([], float(value or 0))
            yield gauge

    def _from_redis(self):
        try:
            counts = failure_counts()
        except Exception:  # noqa: BLE001
            log.warning("backups: metrics could not read failure counters from Redis")
            return
        counter = CounterMetricFamily(series.name("backup_failures"), "Failed backup operations",
                                      labels=["operation"])
        for operation, value in counts.items():
            counter.add_metric([operation], value)
        yield counter
        blocks = CounterMetricFamily(series.name("backup_preflight_blocks"), "Restores refused by a preflight check",
                                     labels=["check"])
        for check, value in block_counts().items():
            blocks.add_metric([check], value)
        yield blocks


_registered = False


def register_default() -> None:
    """Add BackupCollector to prometheus_client's global REGISTRY once per process."""
    global _registered
    if not _registered:
        REGISTRY.register(BackupCollector())
        _registered = True
