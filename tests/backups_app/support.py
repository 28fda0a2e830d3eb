"""Helpers for the backup tests: scratch databases, CLI runs, data snapshots, Celery beat.

Backup tests that restore replace a whole database, so each runs against a database of its own
(cloned from a migrated template) and an isolated Redis database number — never the main database
other tests' live servers use, never pytest-django's test database.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from backups_app import pg
from tests.support.live import ROOT, Process, base_env

BIN = Path(sys.executable).parent


def db_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def admin_conn(dbname: str | None = None):
    """Autocommit connection to the throw-away cluster (the main database unless `dbname`)."""
    url = db_url(dbname) if dbname else os.environ["DATABASE_URL"]
    return psycopg.connect(url, autocommit=True)


def create_database(name: str, *, template: str | None = None) -> None:
    with admin_conn() as conn:
        pg.drop_database(conn, name)
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    with admin_conn() as conn:
        pg.drop_database(conn, name)


def env_for(dbname: str, backup_dir: Path, *, redis_url: str, **extra) -> dict:
    return base_env(DATABASE_URL=db_url(dbname), REDIS_URL=redis_url, BACKUP_DIR=str(backup_dir),
                    DATABASE_CONN_MAX_AGE="0", **extra)


def manage(env: dict, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `manage.py ARGS` as an operator would; raise with its output when `check` and it fails."""
    proc = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def seed(dbname: str, *, pages: int = 30) -> None:
    """Users, a team, pages with tags and revisions: what a small wiki holds."""
    with admin_conn(dbname) as conn:
        conn.execute("INSERT INTO accounts_user (password, name, email, is_active, is_staff, is_superuser, "
                     "date_joined) SELECT 'x', 'User ' || g, 'user' || g || '@example.com', true, false, false, "
                     "now() FROM generate_series(1, 5) g")
        conn.execute("INSERT INTO wiki_team (name, created_at) VALUES ('Docs', now())")
        conn.execute("INSERT INTO wiki_page (title, slug, content, tags, folder, author_id, created_at, updated_at) "
                     "SELECT 'Page ' || g, 'page-' || g, repeat('Content of page ' || g || '. ', 20), "
                     "ARRAY['tag' || (g % 3)], 'docs', (SELECT min(id) FROM accounts_user), now(), now() "
                     f"FROM generate_series(1, {pages}) g")
        conn.execute("INSERT INTO wiki_pagerevision (page_id, number, title, content, tags, folder, created_at) "
                     "SELECT id, 1, title, 'old ' || content, tags, folder, now() FROM wiki_page")
        conn.execute("UPDATE wiki_page SET version = 1")  # what services.py keeps: the newest revision's number


def change(dbname: str) -> None:
    """Edits after a backup: an update, a delete, an insert (what a restore must undo)."""
    with admin_conn(dbname) as conn:
        conn.execute("UPDATE wiki_page SET title = 'CHANGED' WHERE slug = 'page-1'")
        conn.execute("DELETE FROM wiki_pagerevision WHERE page_id IN (SELECT id FROM wiki_page WHERE slug = 'page-2')")
        conn.execute("DELETE FROM wiki_page WHERE slug = 'page-2'")
        conn.execute("INSERT INTO wiki_page (title, slug, content, tags, folder, author_id, created_at, updated_at) "
                     "SELECT 'New', 'new', 'new', '{}', 'docs', min(id), now(), now() FROM accounts_user")


SNAPSHOT_TABLES = ("accounts_user", "wiki_team", "wiki_page", "wiki_pagerevision", "django_migrations")


def snapshot(dbname: str) -> dict:
    """Every row of the wiki's tables (ordered), to compare states exactly."""
    with admin_conn(dbname) as conn:
        return {t: conn.execute(f"SELECT * FROM public.{t} ORDER BY 1").fetchall() for t in SNAPSHOT_TABLES}


def schemas(dbname: str) -> list[str]:
    with admin_conn(dbname) as conn:
        return [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' "
                                           "AND nspname <> 'information_schema' ORDER BY 1")]


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def celery_beat(env: dict, log: Path, schedule_file: Path) -> Process:
    return Process([str(BIN / "celery"), "-A", "papyrus", "beat", "--loglevel", "INFO", "-s", str(schedule_file)],
                   env=env, log=log).start()


def use_s3(settings, **given) -> None:
    """Point the STORAGES alias "backups" at a bucket, as settings/base.py does from BACKUP_S3_BUCKET / AWS_*."""
    from backups_app.conf import s3_storage

    settings.STORAGES = {**settings.STORAGES, "backups": s3_storage(**given)}


def no_s3(settings) -> None:
    """No off-site store (no "backups" alias)."""
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "backups"}
