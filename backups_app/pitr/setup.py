"""The PostgreSQL settings continuous archiving needs: printed for any server, applied to a local one."""
from __future__ import annotations

import configparser
import io
import os
from pathlib import Path

from psycopg import sql

from .. import conf
from .barman import PitrError, archive_command, destination
from .cluster import make_owned_dir, owner_ids, pg_ctl, superuser_connection

RESTART_NEEDED = ("wal_level", "archive_mode")


def settings(*, credentials_file: str | None = None) -> dict[str, str]:
    return {"wal_level": "replica", "archive_mode": "on", "archive_timeout": f"{conf.pitr_archive_timeout()}s",
            "archive_command": archive_command(credentials_file=credentials_file)}


def instructions() -> str:
    """What an operator runs on a server the project does not manage (ALTER SYSTEM as a superuser)."""
    lines = ["-- as a PostgreSQL superuser (psql -U postgres), then restart PostgreSQL:"]
    for name, value in settings().items():
        lines.append(f"ALTER SYSTEM SET {name} = {_literal(value)};")
    lines += ["", "-- The server's environment needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION",
              "-- (systemd: Environment= in a drop-in; docker-compose: the postgres service's environment),",
              "-- and barman-cloud installed on the database host (Debian: apt-get install barman-cli-cloud).",
              "-- Check: SELECT * FROM pg_stat_archiver;  (last_archived_wal advances, failed_count stays)"]
    return "\n".join(lines)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def current() -> dict[str, str]:
    """The live server's values of the archiving settings (superuser connection)."""
    with superuser_connection() as conn:
        rows = conn.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                            (["wal_level", "archive_mode", "archive_timeout", "archive_command", "data_directory"],))
        return dict(rows.fetchall())


def apply() -> list[str]:
    """Configure the local cluster (`make run`'s, on this host): credentials file, ALTER SYSTEM, restart.

    The credentials file lives beside the data directory (not in it: base backups copy PGDATA),
    owned by the postgres user, mode 0600; archive_command names it, never the secret itself.
    """
    live = current()
    datadir = Path(live["data_directory"])
    if not datadir.is_dir():
        raise PitrError(f"the server's data directory {datadir} is not on this host: --apply is for the local "
                        "cluster; run `backup pitr-setup` and apply its statements on the database host")
    credentials = _write_credentials(datadir.parent / "pitr")
    wanted = settings(credentials_file=str(credentials))
    with superuser_connection() as conn:
        for name, value in wanted.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")
    changed = [n for n in wanted if str(live.get(n)) != _as_shown(n, wanted[n])]
    if any(n in changed for n in RESTART_NEEDED):
        # reuses the options it was started with; -l: the postmaster must not inherit our pipes
        log = datadir.parent / "postgres.log"
        pg_ctl(datadir, "-m", "fast", "-w", "-t", "120", "restart",
               log=log if log.exists() else datadir / "pitr-restart.log")
    return changed


def _as_shown(name: str, value: str) -> str:
    return value.removesuffix("s") if name == "archive_timeout" else value


def _write_credentials(directory: Path) -> Path:
    """An AWS shared-credentials file for the postmaster's archive_command."""
    make_owned_dir(directory)
    path = directory / "aws-credentials"
    options = conf.aws_options()
    parser = configparser.ConfigParser()
    parser["default"] = {k: v for k, v in (("aws_access_key_id", options["access_key"]),
                                           ("aws_secret_access_key", options["secret_key"]),
                                           ("region", options["region"])) if v}
    text = io.StringIO()
    parser.write(text)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text.getvalue())
    os.chmod(path, 0o600)
    if os.geteuid() == 0:
        os.chown(path, *owner_ids())
    return path


def problems() -> list[str]:
    """Why the live server does not archive to the configured bucket ([] when it does)."""
    values = current()
    found = []
    if values.get("wal_level") not in ("replica", "logical"):
        found.append(f"wal_level is {values.get('wal_level')} (needs replica)")
    if values.get("archive_mode") not in ("on", "always"):
        found.append(f"archive_mode is {values.get('archive_mode')}")
    command = values.get("archive_command") or ""
    if "barman-cloud-wal-archive" not in command or destination() not in command:
        found.append(f"archive_command does not ship to {destination()} with barman-cloud-wal-archive")
    return found
