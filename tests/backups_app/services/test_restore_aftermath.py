"""Issue 19 items 2, 3 and 8 through a live server: what a restore leaves behind.

A restore must drop every cached response (also when its restorer is killed after COMMIT: then
`backup recover` does it), keep revocations and sign-in secrets of the live data, and a killed
restore must leave a state that says what happened."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import redis

from tests.support.http import Http
from tests.support.live import ROOT
from tests.support.wait import wait_until

from .. import support

PASSWORD = "s3cret-Pass!"
MAINTENANCE = "papyrus:backups:maintenance"


def server_for(papyrus_server, env: dict):
    return papyrus_server(workers=2, env={k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "BACKUP_DIR",
                                                              "DATABASE_CONN_MAX_AGE")}
                          | {"RESPONSE_CACHE_ENABLED": "true"})


def titles(http: Http) -> list[str]:
    status, _, body = http.call("GET", "/api/pages?limit=100")
    assert status == 200, body
    return sorted(p["title"] for p in body)


def search_ids(http: Http, q: str) -> list[int]:
    status, _, body = http.call("GET", f"/api/search?q={q}")
    assert status == 200, body
    return [hit["id"] for hit in body]


def only_backup(directory: Path) -> str:
    [name] = [p.name for p in directory.glob("backup_*.sql.gz")]
    return name


# --- item 2: the response cache -------------------------------------------------------------

def test_a_restore_drops_every_cached_list_search_and_page(live_db, papyrus_server):
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    name = only_backup(Path(env["BACKUP_DIR"]))
    support.change(db)  # 'New' exists only after the backup; page-1 is titled CHANGED
    with support.admin_conn(db) as conn:
        new_id = conn.execute("SELECT id FROM wiki_page WHERE slug = 'new'").fetchone()[0]
    http = Http(server_for(papyrus_server, env).url, timeout=20)
    assert "New" in titles(http) and "CHANGED" in titles(http)  # cached now
    assert new_id in search_ids(http, "new")
    assert http.call("GET", f"/api/pages/{new_id}")[0] == 200

    support.manage(env, "backup", "restore", f"--file={name}", "--yes")

    assert "New" not in titles(http) and "CHANGED" not in titles(http) and "Page 1" in titles(http)
    assert new_id not in search_ids(http, "new")
    assert http.call("GET", f"/api/pages/{new_id}")[0] == 404


def _restore_session(db: str) -> int | None:
    with support.admin_conn() as conn:
        row = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = "
                           "'papyrus-backup' AND backend_xid IS NOT NULL", (db,)).fetchone()
    return row[0] if row else None


def _waiting_for_a_lock(pid: int) -> bool:
    with support.admin_conn() as conn:
        row = conn.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return bool(row) and row[0] == "Lock"


def test_a_restorer_killed_after_commit_leaves_a_committed_state_that_recover_finishes(live_db, papyrus_server,
                                                                                      tmp_path):
    """The restorer is SIGKILLed while its psql, which already holds COMMIT in its input, waits for a
    lock (held here) to drop the old schema: psql commits after the restorer is dead, so nobody told
    the caches. `backup recover` must say the restore committed, drop the caches, end maintenance."""
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    name = only_backup(Path(env["BACKUP_DIR"]))
    support.change(db)
    http = Http(server_for(papyrus_server, env).url, timeout=20)
    assert "New" in titles(http)  # cached

    restore_env = {**env, "BACKUP_LOCK_TIMEOUT": "30", "BACKUP_RESTORE_LOCK_TIMEOUT": "120s"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "backup", "restore", f"--file={name}",
                             "--yes"], cwd=ROOT, env=restore_env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "restore.err", "wb"))
    blocker = psycopg.connect(support.db_url(db))  # a reader whose open transaction holds wiki_page
    try:
        psql = wait_until(lambda: _restore_session(db), timeout=60, interval=0.01,
                                what="the restore's psql to start")
        blocker.execute("SELECT count(*) FROM public.wiki_page")  # AccessShare on the live table, kept
        wait_until(lambda: _waiting_for_a_lock(psql) or proc.poll() is not None, timeout=120,
                         what="psql to wait for the lock at DROP SCHEMA")
        assert proc.poll() is None, (tmp_path / "restore.err").read_text()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        blocker.rollback()  # psql goes on: drops the old schema and reads COMMIT
        blocker.close()
        if proc.poll() is None:
            proc.kill()
    wait_until(lambda: _restore_session(db) is None, timeout=60, what="psql to commit and exit")
    with support.admin_conn(db) as conn:
        status = conn.execute("SELECT restore_status FROM backups_app_backup WHERE name = %s", (name,)).fetchone()[0]
    assert status == "committed"  # written inside the restore's transaction
    assert redis.Redis.from_url(env["REDIS_URL"]).exists(MAINTENANCE)

    out = support.manage(env, "backup", "recover").stdout
    assert f"restore of {name}: had committed" in out and "maintenance mode turned off" in out
    assert "New" not in titles(http) and "Page 1" in titles(http)
    assert not redis.Redis.from_url(env["REDIS_URL"]).exists(MAINTENANCE)
    with support.admin_conn(db) as conn:
        status = conn.execute("SELECT restore_status FROM backups_app_backup WHERE name = %s", (name,)).fetchone()[0]
    assert status == "success"
    assert "nothing was left interrupted" in support.manage(env, "backup", "recover").stdout


# --- item 3: revocations and sign-in secrets survive ------------------------------------------

def test_revocations_passwords_and_ids_given_out_survive_a_restore(live_db, papyrus_server):
    db, env = live_db
    http = Http(server_for(papyrus_server, env).url, timeout=20)
    email = f"alice-{uuid.uuid4().hex[:6]}@example.com"
    assert http.call("POST", "/api/auth/register", {"name": "Alice", "email": email, "password": PASSWORD})[0] == 201
    first_refresh = http.cookie("refreshToken")
    with support.admin_conn(db) as conn:
        conn.execute("UPDATE accounts_user SET is_staff = true WHERE email = %s", (email,))
    support.manage(env, "backup", "create")
    name = only_backup(Path(env["BACKUP_DIR"]))

    # After the backup: the token is rotated (the first one is spent), the user logs out,
    # changes the password, loses staff; someone else signs up.
    assert http.call("POST", "/api/auth/refresh")[0] == 200
    second_refresh, second_access = http.cookie("refreshToken"), http.cookie("accessToken")
    assert http.call("POST", "/api/auth/logout")[0] == 204
    new_password = "n3w-Secret!pass"
    with support.admin_conn(db) as conn:
        from django.contrib.auth.hashers import make_password
        conn.execute("UPDATE accounts_user SET password = %s, is_staff = false WHERE email = %s",
                     (make_password(new_password, hasher="md5"), email))
    later = Http(http.base, timeout=20)
    assert later.call("POST", "/api/auth/register", {"name": "Later", "email": f"later-{email}",
                                                     "password": PASSWORD})[0] == 201
    later_id = later.call("GET", "/api/auth/me")[2]["user"]["id"]

    support.manage(env, "backup", "restore", f"--file={name}", "--yes")

    for token in (first_refresh, second_refresh):
        assert Http(http.base, timeout=20).call("POST", "/api/auth/refresh", {"refreshToken": token})[0] == 401
    assert Http(http.base, timeout=20).call("GET", "/api/auth/me", headers={"Authorization": f"Bearer {second_access}"})[0] == 401
    fresh = Http(http.base, timeout=20)
    assert fresh.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})[0] == 401
    assert fresh.call("POST", "/api/auth/login", {"email": email, "password": new_password})[0] == 200
    assert fresh.call("GET", "/api/auth/me")[2]["user"]["role"] == "user"  # staff taken away stays so
    # 'Later' is gone with the restore; the next sign-up never gets its id (its tokens name nobody)
    assert later.call("GET", "/api/auth/me")[0] == 401
    newcomer = Http(http.base, timeout=20)
    assert newcomer.call("POST", "/api/auth/register", {"name": "Next", "email": f"next-{email}",
                                                        "password": PASSWORD})[0] == 201
    assert newcomer.call("GET", "/api/auth/me")[2]["user"]["id"] > later_id
