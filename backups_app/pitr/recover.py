"""Point-in-time recovery into a NEW data directory: base backup + archived WAL, recovery_target_time.

The live cluster is never touched: the target directory must be new or empty, the recovered
cluster listens on its own port, on 127.0.0.1 only, with archive_mode off (it must not write
into the live archive), and a different port than the live server. Cutting over is the
operator's step (docs/pitr.md).
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

from .. import pg
from ..metrics import record_failure
from . import barman, cluster
from .barman import PitrError

log = logging.getLogger(__name__)

RECOVERY_LOG = "pitr-recovery.log"
TARGET_NOT_REACHED = "recovery ended before configured recovery target was reached"


@dataclass
class Recovered:
    datadir: Path
    target: datetime
    base_backup: str
    port: int | None
    seconds: float
    replayed_to_end: bool  # no commit after the target was archived: everything archived is ≤ target


def parse_target(text: str) -> datetime:
    """ISO 8601 with a time zone ("2026-12-01T10:15:30Z"); anything else is a clear error."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise PitrError(f"--to {text!r} is not an ISO 8601 time, e.g. 2026-12-01T10:15:30Z") from None
    if value.tzinfo is None:
        raise PitrError(f"--to {text!r} has no time zone: add Z for UTC, e.g. 2026-12-01T10:15:30Z")
    return value.astimezone(timezone.utc)


def plan(target: datetime) -> dict:
    """The base backup to start from; refuse a target outside what the bucket can reach."""
    backups = barman.base_backups()
    if not backups:
        raise PitrError(f"no base backup in {barman.destination()}: take one (`manage.py backup pitr-base`)")
    if target < backups[0]["end_time"]:
        raise PitrError(f"{_fmt(target)} is before the oldest base backup, which ended at "
                        f"{_fmt(backups[0]['end_time'])}: nothing can recover to an earlier time")
    newest = barman.newest_wal()
    # S3's LastModified is truncated to the second: the object was complete before the next second
    if newest is None or target >= newest["archived_at"] + timedelta(seconds=1):
        when = _fmt(newest["archived_at"]) if newest else "never"
        raise PitrError(f"{_fmt(target)} is after the newest archived WAL (archived {when}): later writes are "
                        "not in the bucket yet; wait for archive_timeout, or choose an earlier time")
    base = [b for b in backups if b["end_time"] <= target][-1]
    return {"base": base, "newest_wal": newest}


def _fmt(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _pg_time(value: datetime) -> str:
    """A timestamptz literal PostgreSQL's recovery_target_time accepts (no ISO 'T'/'Z')."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def recover(*, target: datetime, into: Path, port: int | None, wait_timeout: float = 3600) -> Recovered:
    """Fetch the base backup before `target`, configure recovery to `target`, start on `port` (if given)."""
    into = into.resolve()
    _check_directory(into)
    if port is not None:
        _check_port(port)
    chosen = plan(target)
    began = time.monotonic()
    try:
        cluster.make_owned_dir(into)
        barman.run([barman.tool("barman-cloud-restore"), *barman.cloud_args(), barman.destination(),
                    barman.conf.pitr_server_name(), chosen["base"]["id"], str(into)],
                   what="fetching the base backup (barman-cloud-restore)", timeout=24 * 3600)
        _configure(into, target=target, port=port)
        replayed_to_end = False
        if port is not None:
            replayed_to_end = _start_and_wait(into, port=port, timeout=wait_timeout)
    except PitrError:
        record_failure("pitr_restore")
        raise
    return Recovered(datadir=into, target=target, base_backup=chosen["base"]["id"], port=port,
                     seconds=time.monotonic() - began, replayed_to_end=replayed_to_end)


def _check_directory(into: Path) -> None:
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise PitrError(f"--into {into} exists and is not empty: recovery only writes into a new or empty "
                        "directory (never over a live cluster)")


def _check_port(port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise PitrError(f"port {port} is in use (the live server?): choose a free --port")


def _configure(datadir: Path, *, target: datetime, port: int | None) -> None:
    """Recovery settings appended to postgresql.auto.conf (later lines win) and recovery.signal."""
    values = {"restore_command": barman.restore_command(), "recovery_target_time": _pg_time(target),
              "recovery_target_action": "promote", "archive_mode": "off", "listen_addresses": "127.0.0.1",
              "unix_socket_directories": "", **cluster.control_settings(datadir)}
    if port is not None:
        values["port"] = str(port)
    # a cluster managed by Patroni names its pg_hba.conf / pg_ident.conf by absolute path (the live
    # member's data directory) and its synchronous standbys: the copy uses its own files and waits
    # for no standby (a promoted copy would otherwise hang on every commit)
    values["synchronous_standby_names"] = ""
    for setting, name in (("hba_file", "pg_hba.conf"), ("ident_file", "pg_ident.conf")):
        if (datadir / name).exists():
            values[setting] = str(datadir / name)
    lines = ["", "# point-in-time recovery (manage.py backup pitr): a copy, never the live archive"]
    lines += [f"{name} = '{str(value).replace(chr(39), chr(39) * 2)}'" for name, value in values.items()]
    _append_as_owner(datadir / "postgresql.auto.conf", "\n".join(lines) + "\n")
    _append_as_owner(datadir / "recovery.signal", "")


def _append_as_owner(path: Path, text: str) -> None:
    with open(path, "a") as f:
        f.write(text)
    if os.geteuid() == 0:
        os.chown(path, *cluster.owner_ids())
    os.chmod(path, 0o600)


def _drop_target(datadir: Path) -> None:
    conf_file = datadir / "postgresql.auto.conf"
    kept = [line for line in conf_file.read_text().splitlines() if not line.startswith("recovery_target_time")]
    conf_file.write_text("\n".join(kept) + "\n")


def _start_and_wait(datadir: Path, *, port: int, timeout: float) -> bool:
    """Start the copy (AWS_* in its environment for restore_command); wait until it is promoted.

    PostgreSQL stops at the first commit after the target. When no commit after the target was
    archived it ends with TARGET_NOT_REACHED: every archived change is then at or before the
    target, so replaying to the end of the archive (target removed) is exactly the state asked for.
    Returns True in that case.
    """
    for attempt in (1, 2):
        log_file = datadir / RECOVERY_LOG
        try:
            cluster.pg_ctl(datadir, "-w", "-t", str(int(timeout)), "start", log=log_file)
            _wait_promoted(port, timeout=timeout, datadir=datadir)
            return attempt == 2
        except PitrError:
            text = log_file.read_text(errors="replace") if log_file.exists() else ""
            if attempt == 1 and TARGET_NOT_REACHED in text:
                cluster.stop(datadir, mode="immediate")
                _drop_target(datadir)
                continue
            cluster.stop(datadir, mode="immediate")
            tail = " | ".join(line for line in text.splitlines()[-5:])
            raise PitrError(f"recovery into {datadir} failed; PostgreSQL said: {tail or 'nothing'} "
                            f"(log: {log_file})") from None
    raise AssertionError("unreachable")


def _wait_promoted(port: int, *, timeout: float, datadir: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not cluster.running(datadir):
            raise PitrError("the recovering server stopped")
        try:
            with psycopg.connect(recovered_dsn(port, dbname="postgres"), connect_timeout=5) as conn:
                if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return
        except psycopg.OperationalError:
            pass  # still starting up or replaying before consistency
        time.sleep(0.5)
    raise PitrError(f"recovery did not finish within {timeout:.0f}s")


def recovered_dsn(port: int, *, dbname: str | None = None) -> str:
    """The application's role and password on the recovered copy (its pg_hba.conf is the live one's)."""
    db = pg.settings_dict()
    return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=str(port), user=db.get("USER") or "postgres",
                                          password=db.get("PASSWORD") or None, dbname=dbname or db.get("NAME"))


def start_instructions(result: Recovered) -> str:
    # as root: runuser -u postgres --; not root (an image's own user): the files are this user's
    pg_ctl = " ".join(barman.as_os_user([str(cluster.bin_dir() / "pg_ctl")]))
    return (f"To start it (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION exported for its "
            f"restore_command):\n  {pg_ctl} -D {result.datadir} "
            f"-o '-p PORT' -l {result.datadir / RECOVERY_LOG} start\n"
            "It replays WAL up to the target and promotes itself; check with psql -p PORT -c 'SELECT "
            "pg_is_in_recovery()'. See docs/pitr.md for the cut-over.")


def remove(datadir: Path) -> None:
    cluster.stop(datadir, mode="immediate")
    shutil.rmtree(datadir, ignore_errors=True)
