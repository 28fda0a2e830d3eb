"""Crash safety (kill -9 during create) and the off-site copy in S3 (moto's real S3 server)."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import redis

from tests.support.celery import CeleryWorker
from tests.support.live import ROOT
from tests.support.wait import wait_until

from .. import support

LOCK = "papyrus:backups:lock"


def _fill(db: str, megabytes: int) -> None:
    """Pseudo-random text (md5 hex) that takes pg_dump + gzip a few seconds."""
    rows = megabytes * 1024 * 1024 // 1024
    with support.admin_conn(db) as conn:
        conn.execute("CREATE TABLE public.zz_filler (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO public.zz_filler SELECT g, (SELECT string_agg(md5(g::text || '.' || k), '') "
                     f"FROM generate_series(1, 32) k) FROM generate_series(1, {rows}) g")


def _objects(client, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def _kill_a_create_mid_dump(env: dict) -> Path:
    """`backup create` (slowed down) killed with kill -9 once its temp file has bytes; → BACKUP_DIR."""
    directory = Path(env["BACKUP_DIR"])
    slow = {**env, "BACKUP_COMPRESSION_LEVEL": "9", "BACKUP_COMPRESS_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "backup", "create"], cwd=ROOT, env=slow,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: any(p.stat().st_size > 0 for p in directory.glob(".backup_*.tmp")),
                   timeout=120, what="the dump to start writing")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return directory


def test_kill_9_during_create_leaves_no_partial_backup_and_no_stuck_lock(live_db, bucket):
    db, env = live_db
    bucket_name, s3_env, client = bucket
    env = {**env, **s3_env, "BACKUP_LOCK_TIMEOUT": "3"}
    _fill(db, 60)
    directory = _kill_a_create_mid_dump(env)

    conn = redis.Redis.from_url(env["REDIS_URL"])
    assert 0 < conn.pttl(LOCK) <= 3000  # the dead holder's lock only lives until its expiry
    assert not list(directory.glob("backup_*.sql.gz"))
    assert support.manage(env, "backup", "list").stdout.strip() == "no backups"
    assert _objects(client, bucket_name) == []

    created = support.manage(env, "backup", "create")  # no waiting: the dead holder does not block
    name = next(directory.glob("backup_*.sql.gz")).name
    assert name in created.stdout and "(+S3)" in created.stdout
    assert not list(directory.glob(".backup_*.tmp"))  # the dead process's temp file was removed
    assert not conn.exists(LOCK)
    listed = support.manage(env, "backup", "list", "--all").stdout
    assert "interrupted" in listed and f"{name}  success" in listed
    # Issue 19 item 8: the killed create was recorded as failed and counted as a failure.
    assert int(conn.get("papyrus:backups:failures:create") or 0) == 1
    assert "nothing was left interrupted" in support.manage(env, "backup", "recover").stdout
    assert _objects(client, bucket_name) == [f"backups/{name}", f"backups/{name}.json"]


def test_s3_upload_listing_retention_and_restore_after_local_loss(live_db, bucket):
    db, env = live_db
    bucket_name, s3_env, client = bucket
    env = {**env, **s3_env, "BACKUP_RETENTION_DAYS": "7"}
    support.seed(db)
    seeded = support.snapshot(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    name = next(directory.glob("backup_*.sql.gz")).name
    manifest = json.loads((directory / f"{name}.json").read_text())

    head = client.head_object(Bucket=bucket_name, Key=f"backups/{name}")
    assert head["Metadata"]["sha256"] == manifest["sha256"]
    assert head["ContentLength"] == manifest["size"]
    assert "local+S3" in support.manage(env, "backup", "list").stdout

    # old objects (some only in S3, one also local) and a verified old one retention must keep
    data = (directory / name).read_bytes()
    old = ["backup_2020-01-01_000000.sql.gz", "backup_2020-01-02_000000.sql.gz"]
    for old_name in old:
        client.put_object(Bucket=bucket_name, Key=f"backups/{old_name}", Body=data)
    (directory / old[1]).write_bytes(data)
    verified_old = "backup_2020-06-01_000000.sql.gz"
    (directory / verified_old).write_bytes(data)
    (directory / f"{verified_old}.json").write_text(json.dumps({**manifest, "name": verified_old}))
    support.manage(env, "backup", "drill", f"--file={verified_old}")

    removed = support.manage(env, "backup", "cleanup").stdout
    assert all(o in removed for o in old) and verified_old not in removed and name not in removed
    assert _objects(client, bucket_name) == [f"backups/{name}", f"backups/{name}.json"]
    assert not (directory / old[1]).exists() and (directory / verified_old).exists()

    # the local copy is lost: restore fetches it from S3 (and checks it against the manifest)
    support.change(db)
    (directory / name).unlink()
    (directory / f"{name}.json").unlink()
    support.manage(env, "backup", "restore", f"--file={name}", "--yes")
    assert support.snapshot(db) == seeded
    assert (directory / name).exists()


def _loader_sessions(db: str) -> list[str]:
    """States of the sessions that wrote in `db` (the restore's psql; pg_dump only reads)."""
    with support.admin_conn() as conn:
        return [r[0] for r in conn.execute("SELECT state FROM pg_stat_activity WHERE datname = %s "
                                           "AND backend_xid IS NOT NULL", (db,))]


def _child(parent: int, command: str) -> int | None:
    """The pid of `parent`'s child process running `command`, if any."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text.split("(", 1)[1].rsplit(")", 1)
        if int(rest.split()[1]) == parent and name == command:
            return int(stat.parent.name)
    return None


def test_kill_9_of_the_restorer_before_its_safety_backup_is_done_commits_nothing(live_db, tmp_path):
    """The whole dump has reached psql while the safety backup is still being written (its pg_dump is
    held stopped here): SIGKILL to the restorer must roll the restore back — psql sees end of input
    without COMMIT — and keep the live data exactly as it was."""
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    name = next(directory.glob("backup_*.sql.gz")).name
    _fill(db, 60)
    support.change(db)  # includes a page created after the backup: it exists in no backup
    live = support.snapshot(db)

    proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "backup", "restore", f"--file={name}",
                             "--yes"], cwd=ROOT, env={**env, "BACKUP_LOCK_TIMEOUT": "3"},
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "restore.err", "wb"))
    safety_dump = None
    try:
        safety_dump = wait_until(lambda: _child(proc.pid, "pg_dump"), timeout=60, interval=0.005,
                                       what="the safety backup's pg_dump")
        os.kill(safety_dump, signal.SIGSTOP)  # the safety backup is now slower than any load
        wait_until(lambda: "idle in transaction" in _loader_sessions(db) or proc.poll() is not None,
                         timeout=120, what="psql to have received the whole dump")
        assert proc.poll() is None, f"the restore ended early: {(tmp_path / 'restore.err').read_text()[-2000:]}"
        assert list(directory.glob(".backup_*.tmp")), "the safety backup should still be being written"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if safety_dump:  # what SIGPIPE would do to it on its next write to the dead restorer
            os.kill(safety_dump, signal.SIGKILL)

    wait_until(lambda: not _loader_sessions(db), timeout=60, what="the orphaned psql to end")
    assert support.snapshot(db) == live, "a killed restore committed"
    assert support.schemas(db) == ["public"]
    # Issue 19 item 8: the killed restore is not 'running' forever; recover says what happened.
    recovered = support.manage(env, "backup", "recover").stdout
    assert f"restore of {name}: interrupted before COMMIT, rolled back" in recovered
    with support.admin_conn(db) as conn:
        status, error = conn.execute("SELECT restore_status, restore_error FROM backups_app_backup "
                                     "WHERE name = %s", (name,)).fetchone()
    assert status == "failed" and error.startswith("interrupted")
    assert int(redis.Redis.from_url(env["REDIS_URL"]).get("papyrus:backups:failures:restore") or 0) == 1
    with support.admin_conn(db) as conn:
        assert conn.execute("SELECT count(*) FROM public.zz_filler").fetchone()[0] > 0


def test_beat_settles_a_killed_create_by_itself(live_db, tmp_path):
    """Issue 28.1: beat's settle task runs on a real worker (it failed every minute on an import) and a
    create killed with kill -9 is recorded failed, its temp file removed, within two of its ticks."""
    db, env = live_db
    env = {**env, "BACKUP_LOCK_TIMEOUT": "2", "BACKUP_SETTLE_INTERVAL": "2"}
    _fill(db, 30)
    directory = _kill_a_create_mid_dump(env)
    assert "running" in support.manage(env, "backup", "list", "--all").stdout

    log = tmp_path / "worker.log"
    # its own Redis database (live_db): the default queue is this test's alone
    worker = CeleryWorker(env=env, log=log, beat_schedule=tmp_path / "beat", name="settle").start()
    try:
        # the lock's expiry (2 s) and two ticks (2 s each), with room for a loaded machine
        wait_until(lambda: "interrupted" in support.manage(env, "backup", "list", "--all").stdout,
                   timeout=60, interval=1, what="beat's settle task to record the killed create")
    finally:
        worker.stop()
    assert not list(directory.glob(".backup_*.tmp"))
    assert "running" not in support.manage(env, "backup", "list", "--all").stdout
    assert "Error" not in log.read_text()
    assert int(redis.Redis.from_url(env["REDIS_URL"]).get("papyrus:backups:failures:create") or 0) == 1
