"""PITR drill: recover to a recent second into a scratch directory and compare with the live database.

The live row counts are taken in one REPEATABLE READ snapshot, and the target is the time read
right after that snapshot was taken; the current WAL segment is then switched (so the drill does
not wait for archive_timeout) and, once archived, the copy is recovered to that target. Results go
to BACKUP_DIR/pitr-drills.json (shared by web, worker and beat like the backups), read by the metrics.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg

from .. import conf, pg
from ..dump import write_file_atomically
from ..metrics import record_failure
from . import recover
from .barman import PitrError
from .cluster import superuser_connection

log = logging.getLogger(__name__)
HISTORY = 50


def results_file() -> Path:
    return conf.backup_dir() / "pitr-drills.json"


def history() -> list[dict]:
    try:
        return json.loads(results_file().read_text())
    except (OSError, ValueError):
        return []


def last_success() -> dict | None:
    return next((r for r in reversed(history()) if r.get("ok")), None)


def _record(entry: dict) -> None:
    conf.backup_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
    write_file_atomically(results_file(), json.dumps((history() + [entry])[-HISTORY:], indent=2).encode())


def run_drill(*, archive_wait: float = 600) -> dict:
    """Recover to now into a scratch directory, compare row counts, remove it; record and return the result."""
    began = time.monotonic()
    started_at = datetime.now(timezone.utc)
    scratch = conf.backup_dir() / f"pitr-drill-{started_at:%Y%m%dT%H%M%S}-{os.getpid()}"
    entry = {"startedAt": started_at.isoformat(), "ok": False}
    try:
        target, expected = _live_counts()
        entry["target"] = target.isoformat()
        _switch_and_wait_archived(archive_wait)
        result = recover.recover(target=target, into=scratch, port=_free_port())
        entry.update(baseBackup=result.base_backup, recoverySeconds=round(result.seconds, 3))
        _compare(expected, _counts(result.port))
        entry["ok"] = True
    except (PitrError, psycopg.Error) as exc:
        entry["error"] = str(exc)[:2000]
        record_failure("pitr_drill")
        raise PitrError(f"PITR drill failed: {exc}") from exc
    finally:
        recover.remove(scratch)
        entry["finishedAt"] = datetime.now(timezone.utc).isoformat()
        entry["durationSeconds"] = round(time.monotonic() - began, 3)
        _record(entry)
    return entry


def _live_counts() -> tuple[datetime, dict]:
    with pg.raw_connection() as conn:
        cursor = conn.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT clock_timestamp()")  # the snapshot is taken by this first statement
        target = cursor.fetchone()[0]
        counts = pg.row_counts(cursor)
        conn.rollback()
    return target.astimezone(timezone.utc), counts


def _switch_and_wait_archived(timeout: float) -> None:
    """Close the current WAL segment (it holds the target) and wait until the archiver shipped it.

    A restore point is written first: on an idle database the current segment may be empty, and then
    pg_switch_wal() switches nothing, the newest archived WAL stays older than the target and the
    recovery would be refused as "after the newest archived WAL". The restore point's record puts the
    target inside a segment that is closed and archived after it.
    """
    with superuser_connection() as conn:
        conn.execute("SELECT pg_create_restore_point(%s)", (conf.pitr_server_name() + "-pitr-drill",))
        switched = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()[0] or ""
            if last[:24] >= switched:
                return
            time.sleep(0.5)
    raise PitrError(f"WAL segment {switched} was not archived within {timeout:.0f}s: is archiving stalled? "
                    "(SELECT * FROM pg_stat_archiver)")  # nosec B608  # an error message, not SQL


def _counts(port: int) -> dict:
    with psycopg.connect(recover.recovered_dsn(port)) as conn:
        return pg.row_counts(conn.cursor())


def _compare(expected: dict, restored: dict) -> None:
    wrong = {t: (n, restored.get(t)) for t, n in expected.items() if restored.get(t) != n}
    if wrong:
        detail = ", ".join(f"{t}: live {a}, recovered {b}" for t, (a, b) in sorted(wrong.items())[:5])
        raise PitrError(f"row counts of the recovered copy differ from the live database at the target ({detail})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
