"""PITR: base backup throughput vs pg_basebackup, and recovery time for WAL replay.

Starts its own durable PostgreSQL 15 cluster (as scripts/services.py does, archiving applied by
`backup pitr-setup --apply`) and moto's S3 server, fills BENCH_PITR_MB of data (default 200),
then in the same run:

* base backup: `backup pitr-base` (barman-cloud-backup, gzip, to S3, then retention) vs
  `pg_basebackup -Ft -z` into a local directory; interleaved rounds (BENCH_PITR_ROUNDS, default 2),
  medians, MB/s of the database size; a second row takes barman-cloud-backup's own time as
  pitr-base reports it (without the Django start and the retention run);
* WAL replay: BENCH_PITR_WAL_MB of WAL (default 256; the issue's 1 GB takes
  `BENCH_PITR_WAL_MB=1024`) written after the base backup and archived, then `backup pitr --to`
  that moment into a new directory, timed end to end (fetch + replay + promotion); baseline: the
  time the live cluster took to write that WAL. The same command without `--port` (fetch and
  configure only) is timed after it, so the rows split the base fetch from the WAL replay.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import boto3
import psycopg

from scripts import services

ROOT = Path(__file__).resolve().parent.parent


def _moto(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = services.free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=open(workdir / "moto.log", "wb"), stderr=subprocess.STDOUT)
    services.wait_port(port, "moto_server")
    return proc, f"http://127.0.0.1:{port}"


def _manage(env: dict, *args: str) -> float:
    return _manage_out(env, *args)[0]


def _manage_out(env: dict, *args: str) -> tuple[float, str]:
    """(wall seconds, stdout) of one manage.py command."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)}: {done.stderr[-2000:]}")
    return time.perf_counter() - began, done.stdout


def _barman_seconds(stdout: str) -> float:
    """barman-cloud-backup's own time, as `backup pitr-base` reports it ("taken in 12.3s")."""
    found = re.search(r"taken in ([0-9.]+)s", stdout)
    if not found:
        raise RuntimeError(f"backup pitr-base did not report its time: {stdout[-500:]}")
    return float(found.group(1))


def _db_size(url: str) -> float:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT pg_database_size('papyrus')").fetchone()[0] / 1e6


def _fill(url: str, megabytes: int) -> None:
    rows = megabytes * 1024 * 1024 // 300
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_pages (id bigserial PRIMARY KEY, body text)")
        conn.execute("INSERT INTO bench_pages (body) SELECT repeat(md5(g::text), 8) FROM generate_series(1, %s) g",
                     (rows,))


def _wal_written(url: str, megabytes: int) -> float:
    """Write ~`megabytes` of WAL (updates), return the seconds it took."""
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        start = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        while True:
            conn.execute("INSERT INTO bench_pages (body) SELECT repeat(md5(g::text), 8) "
                         "FROM generate_series(1, 50000) g")
            done = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (start,)).fetchone()[0]
            if done >= megabytes * 1024 * 1024:
                return time.perf_counter() - began


def _wait_archived(url: str, timeout: float = 3600) -> None:
    with psycopg.connect(url.replace("papyrus@", "postgres@"), autocommit=True) as conn:
        switched = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()[0] or "")[:24] >= switched:
                return
            time.sleep(0.5)
    raise RuntimeError("WAL was not archived in time")


def run() -> list[dict]:
    size_mb = int(os.environ.get("BENCH_PITR_MB", 200))
    wal_mb = int(os.environ.get("BENCH_PITR_WAL_MB", 256))
    rounds = int(os.environ.get("BENCH_PITR_ROUNDS", 2))
    work = Path(tempfile.mkdtemp(prefix="bench-pitr-", dir=os.environ.get("PAPYRUS_TEST_TMP")))
    os.chmod(work, 0o755)
    cluster = services.Postgres(work / "pg" / "data", services.free_port())
    moto, endpoint = _moto(work)
    try:
        cluster.start()
        bucket = f"bench-pitr-{uuid.uuid4().hex[:8]}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                     aws_secret_access_key="bench-secret").create_bucket(Bucket=bucket)
        url = f"postgres://papyrus@127.0.0.1:{cluster.port}/papyrus"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", "DATABASE_URL": url,
               "BACKUP_DIR": str(work / "backups"), "BACKUP_S3_BUCKET": bucket, "AWS_S3_ENDPOINT_URL": endpoint,
               "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_REGION": "us-east-1",
               "BACKUP_PITR_ENABLED": "true"}
        _manage(env, "backup", "pitr-setup", "--apply")
        _fill(url, size_mb)
        size = _db_size(url)
        barman, barman_alone, local = [], [], []
        for n in range(rounds):
            order = ("barman", "local") if n % 2 == 0 else ("local", "barman")
            for which in order:
                if which == "barman":
                    seconds, out = _manage_out(env, "backup", "pitr-base")
                    barman.append(seconds)
                    barman_alone.append(_barman_seconds(out))
                else:
                    target = work / f"basebackup-{n}"
                    services.Postgres(work / "pg" / "data", 0)._own(target)
                    began = time.perf_counter()
                    cluster._run(str(services.PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(cluster.port),
                                 "-U", "postgres", "-D", str(target), "-Ft", "-z", "-c", "fast",
                                 stdout=subprocess.DEVNULL)
                    local.append(time.perf_counter() - began)
                    subprocess.run(["rm", "-rf", str(target)], check=True)
        write_seconds = _wal_written(url, wal_mb)
        # the target precedes the switch that ships the last segment (after it is "not archived yet")
        target_time = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
        _wait_archived(url)
        recovered = work / "recovered"
        port = services.free_port()
        recovery = _manage(env, "backup", "pitr", "--to", target_time, "--into", str(recovered), "--port", str(port))
        cluster._run(str(services.PG_BIN / "pg_ctl"), "-D", str(recovered), "-m", "immediate", "stop", check=False,
                     stdout=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", str(recovered)], check=True)
        # the same command without --port fetches and configures only: the base backup's share
        fetch_only = _manage(env, "backup", "pitr", "--to", target_time, "--into", str(recovered))
        subprocess.run(["rm", "-rf", str(recovered)], check=True)
    finally:
        cluster.stop()
        moto.terminate()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    ours, theirs = size / statistics.median(barman), size / statistics.median(local)
    alone = size / statistics.median(barman_alone)
    return [
        {"name": f"PITR base backup ({size:,.0f} MB DB) `backup pitr-base` (barman-cloud-backup --gzip to S3 "
                 "(moto) + retention + Django start)", "figure": ours,
         "unit": "MB/s", "baseline": theirs, "baseline_name": "pg_basebackup -Ft -z to a local dir",
         "ratio": ours / theirs},
        {"name": f"PITR base backup ({size:,.0f} MB DB) barman-cloud-backup alone (its time inside pitr-base)",
         "figure": alone, "unit": "MB/s", "baseline": theirs, "baseline_name": "pg_basebackup -Ft -z to a local dir",
         "ratio": alone / theirs},
        {"name": f"PITR recovery: fetch base + replay {wal_mb} MB of WAL + promote", "figure": recovery, "unit": "s",
         "baseline": write_seconds, "baseline_name": "live cluster writing that WAL",
         "ratio": recovery / write_seconds},
        {"name": f"PITR recovery minus the base fetch: {wal_mb} MB of WAL fetched + replayed + promote",
         "figure": recovery - fetch_only, "unit": "s", "baseline": write_seconds,
         "baseline_name": "live cluster writing that WAL", "ratio": (recovery - fetch_only) / write_seconds},
        {"name": "PITR recovery: base backup fetch alone (barman-cloud-restore, no --port)", "figure": fetch_only,
         "unit": "s", "baseline": recovery, "baseline_name": "the whole recovery", "ratio": fetch_only / recovery},
    ]
