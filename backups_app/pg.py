"""PostgreSQL plumbing: client binaries, libpq environment, catalog reads.

Passwords travel in PGPASSWORD (the child's environment), never on a command line or in a log.
"""
from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connections

from . import conf, kept


class ToolMissing(RuntimeError):
    """pg_dump/psql not found."""


def settings_dict(alias: str = "default") -> dict:
    return connections[alias].settings_dict


def libpq_env(*, database: str | None = None, alias: str = "default") -> dict:
    """The child-process environment that points libpq at Django's database."""
    db = settings_dict(alias)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
             "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": database or db.get("NAME")}
    options = db.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                     ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(key):
            pairs[var] = options[key]
    env.update({k: str(v) for k, v in pairs.items() if v not in (None, "")})
    env["PGAPPNAME"] = conf.pg_application_name()
    return env


def server_major(version_num: int) -> int:
    return version_num // 10000


def binary(tool: str, *, major: int | None = None) -> str:
    """Path of `tool`: BACKUP_PG_BIN, else the server's version under /usr/lib/postgresql, else PATH.

    PostgreSQL 15.14+ plain dumps carry `\\restrict` lines that only a psql of that release replays.
    """
    candidates = []
    if conf.pg_bin():
        candidates.append(Path(conf.pg_bin()) / tool)
    if major:
        candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / tool)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(tool)
    if not found:
        raise ToolMissing(f"{tool} not found (install the PostgreSQL client or set BACKUP_PG_BIN)")
    return found


@contextmanager
def raw_connection(*, database: str | None = None, alias: str = "default", autocommit: bool = False):
    """A fresh psycopg connection with Django's parameters (outside Django's connection handling)."""
    wrapper = connections[alias]
    params = wrapper.get_connection_params()
    if database:
        params["dbname"] = database
    params.pop("cursor_factory", None)
    conn = wrapper.Database.connect(**params)
    conn.autocommit = autocommit
    try:
        yield conn
    finally:
        conn.close()


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def drop_database(admin, name: str, *, attempts: int = 5) -> None:
    """DROP DATABASE IF EXISTS `name` on autocommit connection `admin`, ending the sessions on it.

    WITH (FORCE) ends sessions the role may signal; an autovacuum worker on the database (likely
    right after a restore loaded it) has no role, and PostgreSQL 15 then refuses FORCE to a
    non-superuser ("must be a member of the role whose process is being terminated"). A plain DROP
    ends autovacuum workers itself and waits up to 5 s for the rest, so that is tried next.
    """
    quoted = quote_ident(name)
    for _ in range(attempts - 1):
        try:
            admin.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
            return
        except psycopg.errors.InsufficientPrivilege:
            try:
                admin.execute(f"DROP DATABASE IF EXISTS {quoted}")
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.5)
    admin.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")  # the last try says why it failed


def user_tables(cursor) -> list[str]:
    """Ordinary tables of the public schema, sorted."""
    cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname")
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    """Exact row counts of every dumped table in the current snapshot."""
    counts, excluded = {}, kept.excluded_data_tables()
    for table in user_tables(cursor):
        if table in excluded:
            continue
        cursor.execute(f"SELECT count(*) FROM public.{quote_ident(table)}")  # nosec B608  # catalog name, quote_ident
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(cursor) -> list[str]:
    """`app.name` of every applied migration, sorted; [] when django_migrations does not exist."""
    cursor.execute("SELECT to_regclass('public.django_migrations')")
    if cursor.fetchone()[0] is None:
        return []
    cursor.execute("SELECT app || '.' || name FROM public.django_migrations ORDER BY app, name")
    return [row[0] for row in cursor.fetchall()]


def server_version(cursor) -> tuple[str, int]:
    cursor.execute("SELECT current_setting('server_version'), current_setting('server_version_num')::int")
    version, num = cursor.fetchone()
    return version, num
