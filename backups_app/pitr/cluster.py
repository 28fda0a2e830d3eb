"""PostgreSQL clusters on this host: the superuser connection, pg_ctl/pg_controldata as the data owner."""
from __future__ import annotations

import functools
import os
import pwd
import re
import subprocess
from pathlib import Path

import psycopg

from .. import conf, pg
from .barman import PitrError, as_os_user, run

# Hot standby refuses to replay WAL written with larger values than its own (PostgreSQL checks
# these against the control file); pg_controldata reports the primary's.
CONTROL_SETTINGS = {"max_connections": "max_connections setting",
                    "max_worker_processes": "max_worker_processes setting",
                    "max_wal_senders": "max_wal_senders setting",
                    "max_prepared_transactions": "max_prepared_xacts setting",
                    "max_locks_per_transaction": "max_locks_per_xact setting"}


def superuser_dsn() -> str:
    """BACKUP_PITR_PG_DSN, else the application database's host and port as `postgres`."""
    if conf.pitr_pg_dsn():
        return conf.pitr_pg_dsn()
    db = pg.settings_dict()
    return psycopg.conninfo.make_conninfo(host=db.get("HOST") or "127.0.0.1", port=str(db.get("PORT") or 5432),
                                          user="postgres", dbname="postgres")


def superuser_connection():
    try:
        return psycopg.connect(superuser_dsn(), autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise PitrError(f"cannot connect as a PostgreSQL superuser (BACKUP_PITR_PG_DSN): {exc}".strip()) from None


def in_recovery() -> bool:
    """True when BACKUP_PITR_PG_DSN's server is a standby (a member of a replicated cluster that is not
    the primary: barman-cloud-backup takes its base backups from the primary only)."""
    with superuser_connection() as conn:
        return bool(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])


def conninfo_args() -> tuple[list[str], dict]:
    """-d CONNINFO for barman-cloud-backup, and the password apart (PGPASSWORD: never on a command line)."""
    params = psycopg.conninfo.conninfo_to_dict(superuser_dsn())
    password = params.pop("password", None)
    return ["-d", psycopg.conninfo.make_conninfo(**params)], ({"PGPASSWORD": str(password)} if password else {})


@functools.lru_cache(maxsize=1)
def _server_major() -> int:
    with pg.raw_connection() as conn:
        return pg.server_major(pg.server_version(conn.cursor())[1])


def bin_dir() -> Path:
    """pg_ctl & co. of the live server's major version (a base backup only starts under the same one)."""
    return Path(pg.binary("pg_ctl", major=_server_major())).parent


def owner_ids() -> tuple[int, int]:
    entry = pwd.getpwnam(conf.pitr_os_user())
    return entry.pw_uid, entry.pw_gid


def make_owned_dir(path: Path, mode: int = 0o700) -> None:
    """Create `path` for the data owner (PostgreSQL refuses a data directory others can read)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(path, *owner_ids())
    os.chmod(path, mode)


def pg_ctl(datadir: Path, *args: str, log: Path | None = None, env: dict | None = None,
           timeout: float = 900) -> subprocess.CompletedProcess:
    cmd = [str(bin_dir() / "pg_ctl"), "-D", str(datadir), *(["-l", str(log)] if log else []), *args]
    return run(cmd, what=f"pg_ctl {args[-1]}", timeout=timeout, env=env)


def control_settings(datadir: Path) -> dict[str, str]:
    """The primary's settings a hot standby must match or exceed, from pg_controldata."""
    done = run([str(bin_dir() / "pg_controldata"), str(datadir)], what="pg_controldata", timeout=60)
    found = {}
    for name, label in CONTROL_SETTINGS.items():
        match = re.search(rf"^{re.escape(label)}:\s+(\d+)$", done.stdout, re.M)
        if match:
            found[name] = match.group(1)
    return found


def running(datadir: Path) -> bool:
    done = subprocess.run(as_os_user([str(bin_dir() / "pg_ctl"), "-D", str(datadir), "status"]), cwd="/",
                          capture_output=True, text=True)
    return done.returncode == 0


def stop(datadir: Path, *, mode: str = "fast") -> None:
    if running(datadir):
        pg_ctl(datadir, "-m", mode, "-w", "-t", "120", "stop")
