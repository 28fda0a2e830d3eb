"""Backups: `backup create` vs `pg_dump | gzip -6`, restore vs `gunzip -c | psql --single-transaction`.

Generates a wiki-shaped database (pages with weighted full-text vectors, revisions; word-salad
text that compresses like prose, ~3:1) of BENCH_BACKUP_MB megabytes (default 200; the issue's
target is ≥ 1 GB: `BENCH_BACKUP_MB=1100 make bench` or
`.venv/bin/python -m scripts.services test -- .venv/bin/python -m bench bench.backups`), then in the same run:

* backup throughput: papyrus' streaming 2-thread gzip-member writer (`services.backup_create`,
  timed inside a fresh process, peak RSS of that process reported) vs the shell pipeline
  `pg_dump -Fp --no-owner --no-privileges | gzip -6 > f`, interleaved rounds, medians;
* encrypted create: the same with BACKUP_AGE_RECIPIENTS set (age, streamed), against the
  unencrypted create of the same round (target ≥ 0.9×), its peak RSS in the RSS row;
* restore: `services.backup_restore` (checksum + safety backup + all-or-nothing schema swap)
  vs `gunzip -c f | psql --single-transaction` into an empty database.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from pyrage import x25519

from backups_app.pg import drop_database

ROOT = Path(__file__).resolve().parent.parent
DB = "papyrus_bench_backups"

DRIVER = r"""
import json, os, resource, sys, time
import django
django.setup()
from backups_app import services
action = sys.argv[1]
began = time.perf_counter()
if action == "create":
    row = services.backup_create()
else:
    row = services.backup_restore(name=sys.argv[2])
elapsed = time.perf_counter() - began
print(json.dumps({"name": row.name, "seconds": elapsed, "size": row.size,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _url(dbname: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + dbname))


def _env(backup_dir: Path) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", "DATABASE_URL": _url(DB),
            "BACKUP_DIR": str(backup_dir), "BACKUP_S3_BUCKET": ""}


def _recreate(dbname: str) -> None:
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        drop_database(conn, dbname)
        conn.execute(f'CREATE DATABASE "{dbname}"')


def _generate(megabytes: int, backup_dir: Path) -> int:
    """A migrated wiki database of about `megabytes` MB; returns its size in bytes."""
    _recreate(DB)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=_env(backup_dir),
                   check=True)
    # pages + 5 revisions each, ~1 KB of text apiece; measured: 1,100 → 1.1 GB (pg_database_size)
    pages = max(100, megabytes * 78)
    # 5,000 pseudo-words: text that gzip compresses about 3-4:1, like real wiki text (measured 3.2:1)
    vocabulary = "(SELECT array_agg(substr(md5(k::text), 1, 3 + k % 7)) FROM generate_series(1, 5000) k)"
    text = (f"(SELECT string_agg(({vocabulary})[1 + floor(random() * 5000)::int], ' ') "
            "FROM generate_series(1, 160 + (g % 7) * 0))")
    with psycopg.connect(_url(DB), autocommit=True) as conn:
        conn.execute("INSERT INTO accounts_user (password, name, email, is_active, is_staff, is_superuser, "
                     "date_joined) SELECT 'x', 'User ' || g, 'u' || g || '@example.com', true, false, false, now() "
                     "FROM generate_series(1, 200) g")
        conn.execute("INSERT INTO wiki_page (title, slug, content, tags, folder, author_id, created_at, updated_at) "
                     f"SELECT 'Page ' || g, 'page-' || g, {text}, ARRAY['t' || (g % 20), 't' || (g % 7)], 'docs', "
                     f"1 + g % 200, now(), now() FROM generate_series(1, {pages}) g")
        conn.execute("INSERT INTO wiki_pagerevision (page_id, number, title, content, tags, folder, created_at) "
                     "SELECT p.id, r, p.title, p.content || ' rev ' || r, p.tags, p.folder, now() "
                     "FROM wiki_page p, generate_series(1, 5) r")
        conn.execute("VACUUM ANALYZE")
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def _driver(args: list[str], backup_dir: Path, **extra_env: str) -> dict:
    out = subprocess.run([sys.executable, "-c", DRIVER, *args], cwd=ROOT, env={**_env(backup_dir), **extra_env},
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _shell(cmd: str) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, executable="/bin/bash",
                   env={**os.environ, "PGDATABASE": DB}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - began


def run() -> list[dict]:
    megabytes = int(os.environ.get("BENCH_BACKUP_MB", "200"))
    rounds = int(os.environ.get("BENCH_BACKUP_ROUNDS", "3"))
    work = Path(tempfile.mkdtemp(prefix="bench-backups-", dir=os.environ.get("PAPYRUS_TEST_TMP")))
    backup_dir = work / "backups"
    db_bytes = _generate(megabytes, backup_dir)
    url = _url(DB)
    ours, theirs, encrypted, rss = [], [], [], []
    keys = {"BACKUP_AGE_RECIPIENTS": ",".join(str(x25519.Identity.generate().to_public()) for _ in range(2))}
    for _ in range(rounds):  # interleaved: the machine is shared and noisy
        theirs.append(_shell(f"set -o pipefail; pg_dump -Fp --no-owner --no-privileges '{url}' | gzip -6 "
                             f"> {work}/baseline.sql.gz"))
        result = _driver(["create"], backup_dir)
        ours.append(result["seconds"])
        rss.append(result["rss_mb"])
        name = result["name"]
        sealed = _driver(["create"], backup_dir, **keys)
        encrypted.append(sealed["seconds"])
        rss.append(sealed["rss_mb"])
        (backup_dir / sealed["name"]).unlink()
    baseline_file = work / "baseline.sql.gz"
    # restore: the stock pipeline into an empty database vs papyrus' safe restore of the live one
    _recreate(DB + "_plain")
    plain = _shell(f"set -o pipefail; gunzip -c {backup_dir / name} | psql -X -q -v ON_ERROR_STOP=1 "
                   f"--single-transaction -o /dev/null '{_url(DB + '_plain')}'")
    restore = _driver(["restore", name], backup_dir)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        drop_database(conn, DB + "_plain")  # autovacuum is likely at work on the fresh copy
    size_note = f"{db_bytes / 1e6:,.0f} MB database"
    create_s, base_s, sealed_s = statistics.median(ours), statistics.median(theirs), statistics.median(encrypted)
    baseline_file.unlink(missing_ok=True)
    return [
        {"name": f"backup create ({size_note}, DB MB/s)", "figure": round(db_bytes / 1e6 / create_s, 1),
         "unit": "MB/s", "baseline": round(db_bytes / 1e6 / base_s, 1), "baseline_name": "pg_dump | gzip -6",
         "ratio": round(base_s / create_s, 2)},
        {"name": f"backup create age-encrypted ({size_note}, DB MB/s)", "figure": round(db_bytes / 1e6 / sealed_s, 1),
         "unit": "MB/s", "baseline": round(db_bytes / 1e6 / create_s, 1), "baseline_name": "unencrypted create",
         "ratio": round(create_s / sealed_s, 2)},
        {"name": f"backup restore incl. checksum + safety backup ({size_note})", "figure": round(restore["seconds"], 1),
         "unit": "s", "baseline": round(plain, 1), "baseline_name": "gunzip -c | psql --single-transaction",
         "ratio": round(restore["seconds"] / plain, 2)},
        {"name": "backup create peak RSS (Python process, plain and encrypted)", "figure": round(max(rss), 1), "unit": "MB",
         "baseline": 150.0, "baseline_name": "target ceiling", "ratio": round(max(rss) / 150.0, 2)},
    ]
