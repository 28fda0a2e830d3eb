"""Point-in-time recovery against a real PostgreSQL 15 cluster (started here as the postgres user, the
way scripts.services starts clusters, archiving with barman-cloud) and moto's S3 server."""
from __future__ import annotations

import contextlib
import os
import signal
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from backups_app.pitr import schedule
from scripts import services
from tests.support.celery import CeleryWorker
from tests.support.live import BIN, free_port, pid_alive
from tests.support.wait import wait_until

from .. import support

ARCHIVE_TIMEOUT = 2  # seconds: a quiet database's WAL reaches the bucket this often


@pytest.fixture
def archived_cluster(tmp_path_factory, bucket, redis_database):
    """A durable (not the test-fast) cluster with archiving applied by `backup pitr-setup --apply`."""
    bucket_name, s3_env, client = bucket
    root = Path(os.environ.get("PAPYRUS_TEST_TMP") or tmp_path_factory.mktemp("pitr")) / support.unique("pitr")
    root.mkdir(parents=True)
    os.chmod(root, 0o755)
    cluster = services.Postgres(root / "pg" / "data", free_port())
    cluster.start()
    url = f"postgres://papyrus@127.0.0.1:{cluster.port}/papyrus"
    env = support.base_env(DATABASE_URL=url, DATABASE_CONN_MAX_AGE="0", BACKUP_DIR=str(root / "backups"),
                           REDIS_URL=redis_database.url, BACKUP_PITR_ENABLED="true",
                           BACKUP_PITR_ARCHIVE_TIMEOUT=str(ARCHIVE_TIMEOUT), **s3_env)
    try:
        out = support.manage(env, "backup", "pitr-setup", "--apply").stdout
        assert "archive_mode" in out
        yield {"cluster": cluster, "env": env, "url": url, "root": root, "bucket": bucket_name, "client": client}
    finally:
        cluster.stop()


def _wal_keys(ctx) -> list[str]:
    pages = ctx["client"].get_paginator("list_objects_v2").paginate(Bucket=ctx["bucket"], Prefix="wal/papyrus/wals/")
    return sorted(o["Key"].rsplit("/", 1)[-1].split(".")[0] for page in pages for o in page.get("Contents", [])
                  if len(o["Key"].rsplit("/", 1)[-1].split(".")[0]) == 24 and ".backup" not in o["Key"])


def _archiver(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT last_archived_wal, failed_count, pg_walfile_name(pg_current_wal_lsn()) "
                            "FROM pg_stat_archiver").fetchone()


def _rows(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT v FROM pitr_probe ORDER BY v")]


def _insert(url: str, value: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO pitr_probe VALUES (%s)", (value,))


def _wait_archived_through(ctx, segment: str) -> None:
    wait_until(lambda: _wal_keys(ctx) and _wal_keys(ctx)[-1] >= segment, timeout=120,
                     what=f"WAL {segment} in the bucket")


def _stop(datadir: Path) -> None:
    services.Postgres(datadir, 0)._run(str(services.PG_BIN / "pg_ctl"), "-D", str(datadir), "-m", "immediate",
                                       "stop", check=False)


def test_pitr_to_a_second_between_two_inserts_and_after_both(archived_cluster):
    ctx = archived_cluster
    env, url = ctx["env"], ctx["url"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW archive_mode").fetchone()[0] == "on"
        conn.execute("CREATE TABLE pitr_probe (v text)")
    support.manage(env, "backup", "pitr-base", timeout=600)

    # an idle database: the segment holding a write reaches the bucket through archive_timeout alone
    _insert(url, "A")
    with psycopg.connect(url) as conn:
        holding_a = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
    _wait_archived_through(ctx, holding_a)

    time.sleep(1.1)
    between = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    time.sleep(1.1)
    _insert(url, "B")
    # taken before the wait: a target later than the newest archived segment is refused, and on a
    # loaded machine the wait can return more than a second after that segment reached the bucket
    after = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    with psycopg.connect(url) as conn:
        holding_b = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
    _wait_archived_through(ctx, holding_b)

    into, port = ctx["root"] / "recovered-between", free_port()
    out = support.manage(env, "backup", "pitr", "--to", between, "--into", str(into), "--port", str(port),
                         timeout=600).stdout
    try:
        assert "recovered base backup" in out
        assert _rows(f"postgres://papyrus@127.0.0.1:{port}/papyrus") == ["A"]
    finally:
        _stop(into)

    into, port = ctx["root"] / "recovered-after", free_port()
    support.manage(env, "backup", "pitr", "--to", after, "--into", str(into), "--port", str(port), timeout=600)
    try:
        assert _rows(f"postgres://papyrus@127.0.0.1:{port}/papyrus") == ["A", "B"]
    finally:
        _stop(into)

    assert _rows(url) == ["A", "B"]  # the live cluster was not touched
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT failed_count FROM pg_stat_archiver").fetchone()[0] == 0

    # refusals: before the oldest base backup, after the newest archived WAL, a non-empty directory
    early = support.manage(env, "backup", "pitr", "--to", "2020-01-01T00:00:00Z", "--into",
                           str(ctx["root"] / "x"), check=False)
    assert early.returncode != 0 and "before the oldest base backup" in early.stderr
    late = support.manage(env, "backup", "pitr", "--to", "2099-01-01T00:00:00Z", "--into",
                          str(ctx["root"] / "x"), check=False)
    assert late.returncode != 0 and "after the newest archived WAL" in late.stderr
    naive = support.manage(env, "backup", "pitr", "--to", "2026-12-01T10:15:30", "--into", str(ctx["root"] / "x"),
                           check=False)
    assert naive.returncode != 0 and "no time zone" in naive.stderr
    busy = support.manage(env, "backup", "pitr", "--to", between, "--into", str(ctx["cluster"].datadir), check=False)
    assert busy.returncode != 0 and "not empty" in busy.stderr


def _descendants(pid: int) -> list[int]:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _postmaster_pid(datadir: Path) -> int:
    return int((datadir / "postmaster.pid").read_text().split()[0])


def test_killing_postgres_mid_archiving_loses_no_segment(archived_cluster):
    ctx = archived_cluster
    cluster, url = ctx["cluster"], ctx["url"]
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE filler (id int, body text)")
        first = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
        # ~10 segments of WAL at once: the archiver works through a backlog of .ready files
        conn.execute("INSERT INTO filler SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 400000) g")
        current = conn.execute("SELECT pg_walfile_name(pg_current_wal_lsn())").fetchone()[0]
    last_full = current[:16] + f"{int(current[16:], 16) - 1:08X}"  # the newest completed segment
    status = cluster.datadir / "pg_wal" / "archive_status"
    postmaster = _postmaster_pid(cluster.datadir)
    wait_until(lambda: any("barman-cloud-wal-archive" in _cmdline(p) for p in _descendants(postmaster)),
                     timeout=120, interval=0.02, what="barman-cloud-wal-archive to be shipping a segment")
    assert any(p.suffix == ".ready" for p in status.iterdir()), "the backlog was archived before the kill"
    for pid in [postmaster, *_descendants(postmaster)]:  # a crash: nothing shuts down cleanly
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not services.port_open(cluster.port) and not pid_alive(postmaster), timeout=60,
                     what="PostgreSQL to die")
    # Here the dead postmaster may stay a zombie (its adoptive parent does not reap it), which
    # PostgreSQL's lock-file checks (kill(pid, 0)) take for a running server; a real init reaps it.
    # Remove its lock files as that reaping would let PostgreSQL do.
    (cluster.datadir / "postmaster.pid").unlink()
    (cluster.sockdir / f".s.PGSQL.{cluster.port}.lock").unlink(missing_ok=True)

    try:
        cluster.start()  # crash recovery, then the archiver resumes with the .ready files left
    except BaseException:
        print((cluster.datadir.parent / "postgres.log").read_text()[-2000:])  # why it did not start
        raise
    wait_until(lambda: _archiver(url)[0] and _archiver(url)[0] >= last_full, timeout=300,
                     what="archiving to resume through the backlog")
    archived = _wal_keys(ctx)
    expected = [s for s in archived if first <= s <= last_full]
    span = int(last_full[-8:], 16) - int(first[-8:], 16) + 1
    assert len(expected) == span, f"segments missing between {first} and {last_full}: {expected}"
    assert not any(p.suffix == ".ready" for p in status.iterdir() if p.name[:24] <= last_full)


def _metrics(env: dict) -> dict:
    code = ("import django; django.setup(); from prometheus_client import generate_latest, CollectorRegistry; "
            "from backups_app.pitr.metrics import PitrCollector; r = CollectorRegistry(); r.register(PitrCollector()); "
            "print(generate_latest(r).decode())")
    out = support.subprocess.run([support.sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                 check=True, cwd=support.ROOT).stdout
    return {line.split(" ")[0]: float(line.split(" ")[1]) for line in out.splitlines() if line.startswith("papyrus_")}


def test_pitr_drill_records_its_result_and_the_metrics_and_check_follow(archived_cluster):
    ctx = archived_cluster
    env, url = ctx["env"], ctx["url"]
    assert "backups_app.W103" not in support.manage(env, "check", "--database", "default").stderr
    before = _metrics(env)
    assert before["papyrus_pitr_last_drill_timestamp_seconds"] == 0
    assert before["papyrus_pitr_archive_failures_total"] == 0

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE pitr_probe (v text)")
    support.manage(env, "backup", "pitr-base", timeout=600)
    _insert(url, "A")
    # an idle database: the segment holding A is archived (archive_timeout) and nothing is written
    # after it, so the drill's target is later than the newest archived WAL unless the drill closes
    # a segment of its own after the target
    with psycopg.connect(url) as conn:  # at a segment's end pg_walfile_name names that segment
        holding_a = conn.execute("SELECT pg_walfile_name(pg_current_wal_insert_lsn())").fetchone()[0]
    wait_until(lambda: (_archiver(url)[0] or "") >= holding_a, timeout=120, what=f"WAL {holding_a} archived")
    time.sleep(1.5)
    out = support.manage(env, "backup", "pitr-drill", timeout=900).stdout
    assert "row counts match" in out
    drills = __import__("json").loads((ctx["root"] / "backups" / "pitr-drills.json").read_text())
    assert drills[-1]["ok"] and drills[-1]["durationSeconds"] > 0
    assert not list((ctx["root"] / "backups").glob("pitr-drill-*")), "the scratch cluster was not removed"
    after = _metrics(env)
    assert after["papyrus_pitr_last_drill_timestamp_seconds"] > 0
    assert after["papyrus_pitr_last_archived_wal_timestamp_seconds"] > 0

    # archiving broken (a bucket that does not exist): failures counted, the age grows, the check says so
    with psycopg.connect(ctx["cluster"].url.replace("papyrus@", "postgres@").rsplit("/", 1)[0] + "/postgres",
                         autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET archive_command = 'false'")
        conn.execute("SELECT pg_reload_conf()")
    _insert(url, "B")
    wait_until(lambda: _metrics(env)["papyrus_pitr_archive_failures_total"] > 0, timeout=120,
                     what="archive failures to be counted")
    assert _metrics(env)["papyrus_pitr_wal_archive_age_seconds"] > 0
    checked = support.manage(env, "check", "--database", "default", check=False)
    assert "backups_app.W103" in checked.stderr and "archive_command does not ship" in checked.stderr


# --- retention by days -------------------------------------------------------------------------

BASE_PREFIX = "wal/papyrus/base/"


def _base_ids(ctx) -> list[str]:
    """Backup ids that still have a backup.info in the bucket, oldest first."""
    pages = ctx["client"].get_paginator("list_objects_v2").paginate(Bucket=ctx["bucket"], Prefix=BASE_PREFIX)
    return sorted(o["Key"].split("/")[-2] for page in pages for o in page.get("Contents", [])
                  if o["Key"].endswith("/backup.info"))


def _base_objects(ctx, backup_id: str) -> list[str]:
    found = ctx["client"].list_objects_v2(Bucket=ctx["bucket"], Prefix=f"{BASE_PREFIX}{backup_id}/")
    return [o["Key"] for o in found.get("Contents", [])]


def _backup_info(ctx, backup_id: str) -> dict:
    body = ctx["client"].get_object(Bucket=ctx["bucket"], Key=f"{BASE_PREFIX}{backup_id}/backup.info")["Body"]
    return dict(line.split("=", 1) for line in body.read().decode().splitlines() if "=" in line)


def _age_backup(ctx, backup_id: str, days: int) -> None:
    """Make a base backup look `days` older: barman's recovery window reads backup.info's end_time,
    so this is what the passing of days does to the catalog (the data and WAL stay as taken)."""
    key = f"{BASE_PREFIX}{backup_id}/backup.info"
    lines = ctx["client"].get_object(Bucket=ctx["bucket"], Key=key)["Body"].read().decode().splitlines()
    aged = []
    for line in lines:
        name, sep, value = line.partition("=")
        if sep and name in ("begin_time", "end_time") and value != "None":
            value = (datetime.fromisoformat(value) - timedelta(days=days)).isoformat(sep=" ")
        aged.append(f"{name}{sep}{value}")
    ctx["client"].put_object(Bucket=ctx["bucket"], Key=key, Body=("\n".join(aged) + "\n").encode())


def _switch_wal(url: str) -> str:
    """Close the current segment (so it is archived); return its name."""
    with psycopg.connect(url.replace("papyrus@", "postgres@").rsplit("/", 1)[0] + "/postgres") as conn:
        return conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]


def _send_base_task(env: dict) -> None:
    """What beat does on BACKUP_BASE_SCHEDULE: send the task by name (CELERY_TASK_ROUTES apply)."""
    support.subprocess.run([str(BIN / "celery"), "-A", "papyrus", "call", schedule.BASE_TASK], env=env, check=True,
                           cwd=support.ROOT, timeout=60, capture_output=True)


@contextlib.contextmanager
def _base_queue_worker(env: dict, log: Path):
    """docker-compose's pitr-base service: a worker consuming only BACKUP_PITR_BASE_QUEUE (JSON log lines on
    stdout, LOG_CONSOLE, into `log`)."""
    worker = CeleryWorker(env={**env, "LOG_CONSOLE": "true"}, queue=env["BACKUP_PITR_BASE_QUEUE"], log=log,
                          name="pitr-base").start()
    try:
        yield worker
    finally:
        worker.stop()


def _task_done(log: Path, outcome: str = "succeeded") -> bool:
    return any(schedule.BASE_TASK in line and outcome in line for line in log.read_text(errors="replace").splitlines())


def _base_backup_on_its_queue(ctx, env: dict) -> None:
    """What docker-compose runs: beat sends the task to the pitr-base queue; the worker consuming it
    takes the base backup (reading the data directory's files as its owner), then retention."""
    env = {**env, "BACKUP_PITR_BASE_QUEUE": support.unique("pitr-base")}
    log = ctx["root"] / "pitr-base-worker.log"
    with _base_queue_worker(env, log):
        _send_base_task(env)
        wait_until(lambda: _task_done(log), timeout=600, what="the base backup task to finish on its queue")


RETENTION_RUNNERS = {
    "manage.py backup pitr-base": lambda ctx, env: support.manage(env, "backup", "pitr-base", timeout=600),
    "Celery task on BACKUP_PITR_BASE_QUEUE (compose's pitr-base)": _base_backup_on_its_queue,
}


@pytest.mark.parametrize("runner", RETENTION_RUNNERS)
def test_retention_deletes_old_base_backups_and_only_the_wal_no_kept_backup_needs(archived_cluster, runner):
    ctx = archived_cluster
    env, url = {**archived_cluster["env"], "BACKUP_PITR_RETENTION_DAYS": "1"}, ctx["url"]
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE pitr_probe (v text)")
    support.manage(env, "backup", "pitr-base", timeout=600)  # the oldest: "3 days ago"
    _insert(url, "A")
    _switch_wal(url)  # WAL only the oldest backup needs
    support.manage(env, "backup", "pitr-base", timeout=600)  # the newest outside the window: "2 days ago"
    _insert(url, "B")
    _wait_archived_through(ctx, _switch_wal(url))
    time.sleep(1.1)
    between = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    time.sleep(1.1)
    _insert(url, "C")  # the commit after the target; archived by the next base backup's WAL switch
    oldest, kept = _base_ids(ctx)
    _age_backup(ctx, oldest, days=3)
    _age_backup(ctx, kept, days=2)
    kept_begin = _backup_info(ctx, kept)["begin_wal"]
    assert any(s < kept_begin for s in _wal_keys(ctx)), "no WAL older than the kept backup to clean up"

    RETENTION_RUNNERS[runner](ctx, env)  # today's base backup, then retention (1 day)

    ids = _base_ids(ctx)
    assert oldest not in ids and _base_objects(ctx, oldest) == [], "the backup outside the window is still there"
    assert ids[0] == kept and len(ids) == 2, ids  # the newest backup older than the window covers its start
    wal = _wal_keys(ctx)
    assert wal and wal[0] == kept_begin, f"WAL before {kept_begin} kept or WAL it needs gone: {wal[:3]}"
    span = int(wal[-1][-8:], 16) - int(kept_begin[-8:], 16) + 1
    assert len(wal) == span, f"a gap in the WAL the kept backup needs: {wal}"
    listed = ctx["client"].list_objects_v2(Bucket=ctx["bucket"], Prefix="wal/papyrus/wals/")["Contents"]
    assert not [o["Key"] for o in listed if o["Key"].rsplit("/", 1)[-1][:24] < kept_begin]  # .backup files too
    _wait_archived_through(ctx, _switch_wal(url))

    # the window's first second is recoverable from what is left: the kept backup plus its WAL
    into, port = ctx["root"] / "recovered-kept", free_port()
    out = support.manage(env, "backup", "pitr", "--to", between, "--into", str(into), "--port", str(port),
                         timeout=600).stdout
    try:
        assert f"recovered base backup {kept}" in out
        assert _rows(f"postgres://papyrus@127.0.0.1:{port}/papyrus") == ["A", "B"]
    finally:
        _stop(into)


def test_the_beat_base_backup_goes_to_its_queue_and_its_failure_is_counted(archived_cluster):
    """The base backup task is sent to BACKUP_PITR_BASE_QUEUE, so only the worker consuming it (compose:
    pitr-base) takes it; a failing one counts in papyrus_pitr_failures_total{operation="base"}, as a
    failing `backup pitr-base` does, and leaves no backup and runs no retention."""
    ctx = archived_cluster
    queue = support.unique("pitr-base")
    env = {**ctx["env"], "BACKUP_PITR_BASE_QUEUE": queue}
    failures = 'papyrus_pitr_failures_total{operation="base"}'
    assert _metrics(env)[failures] == 0
    log = ctx["root"] / "pitr-base-worker.log"

    _send_base_task(env)  # nobody consumes the queue yet: the task waits for its worker
    time.sleep(2)
    assert _base_ids(ctx) == []
    with _base_queue_worker(env, log):
        wait_until(lambda: _task_done(log), timeout=600, what="the queued base backup to run")
    assert len(_base_ids(ctx)) == 1

    # the superuser connection refused (nothing listens there): barman-cloud-backup fails
    broken = {**env, "BACKUP_PITR_PG_DSN": f"host=127.0.0.1 port={free_port()} user=postgres dbname=postgres"}
    with _base_queue_worker(broken, log):
        _send_base_task(broken)
        wait_until(lambda: _metrics(env)[failures] == 1, timeout=300, what="the failed base backup to be counted")
    assert len(_base_ids(ctx)) == 1
    assert _metrics(env)['papyrus_pitr_failures_total{operation="cleanup"}'] == 0
    assert "base backup (barman-cloud-backup) failed" in log.read_text(errors="replace")
