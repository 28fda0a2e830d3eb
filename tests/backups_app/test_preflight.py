"""Restore preflight: blocks refuse the restore with every row kept; warnings and estimates carry numbers."""
import gzip
import hashlib
import json
from pathlib import Path

import redis

from . import support


def _preflight(env: dict, name: str) -> tuple[int, dict]:
    result = support.manage(env, "backup", "preflight", name, "--json", check=False)
    checks = json.loads(result.stdout[result.stdout.index("["):])
    return result.returncode, {c["check"]: c for c in checks}


def _variant(directory: Path, good: str, name: str, *, sql=lambda s: s, manifest=lambda m: m) -> None:
    """A copy of backup `good` as `name`, its SQL and manifest rewritten, with a matching checksum."""
    data = gzip.compress(sql(gzip.decompress((directory / good).read_bytes())))
    (directory / name).write_bytes(data)
    recorded = json.loads((directory / f"{good}.json").read_text())
    recorded.update(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    (directory / f"{name}.json").write_text(json.dumps(manifest(recorded)))


def _from_pg_dump_17(sql: bytes) -> bytes:
    sql = sql.replace(b"-- Dumped by pg_dump version 15.", b"-- Dumped by pg_dump version 17.", 1)
    return sql.replace(b"SET statement_timeout = 0;", b"SET statement_timeout = 0;\nSET transaction_timeout = 0;", 1)


def test_a_newer_pg_dump_and_an_unknown_migration_block_and_the_restore_changes_nothing(live_db):
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    good = next(directory.glob("backup_*.sql.gz")).name
    newer, future = "backup_2001-01-01_000001.sql.gz", "backup_2001-01-01_000002.sql.gz"
    _variant(directory, good, newer, sql=_from_pg_dump_17)
    _variant(directory, good, future, manifest=lambda m: {**m, "migrations": [*m["migrations"], "wiki.9999_future"]})
    support.change(db)
    live = support.snapshot(db)

    code, checks = _preflight(env, good)
    assert code == 0 and checks["pg_version"]["status"] == "ok" and checks["migrations"]["status"] == "ok"
    assert checks["checksum"]["status"] == "ok" and checks["lock"]["status"] == "ok"

    code, checks = _preflight(env, newer)
    assert code != 0 and checks["pg_version"]["status"] == "block"
    assert checks["pg_version"]["dumpPgDump"].startswith("17.")
    code, checks = _preflight(env, future)
    assert code != 0 and checks["migrations"]["status"] == "block"
    assert "wiki.9999_future" in checks["migrations"]["detail"] and checks["migrations"]["unknownToThisCode"] == 1

    for name, check in ((newer, "pg_version"), (future, "migrations")):
        refused = support.manage(env, "backup", "restore", f"--file={name}", "--yes", check=False)
        assert refused.returncode != 0 and "refused by its preflight" in refused.stderr and check in refused.stderr
        assert support.snapshot(db) == live and support.schemas(db) == ["public"]
    # what the block protects against: PostgreSQL 15 cannot replay pg_dump 17's settings (rolled back too)
    forced = support.manage(env, "backup", "restore", f"--file={newer}", "--yes", "--skip-preflight", check=False)
    assert forced.returncode != 0 and "transaction_timeout" in forced.stderr
    assert support.snapshot(db) == live

    conn = redis.Redis.from_url(env["REDIS_URL"])
    assert int(conn.get("papyrus:backups:preflight-blocks:pg_version")) == 1
    assert int(conn.get("papyrus:backups:preflight-blocks:migrations")) == 1


def test_the_duration_estimate_scales_the_newest_drill_and_secrets_are_compared_by_fingerprint(live_db):
    db, env = live_db
    support.seed(db)
    directory = Path(env["BACKUP_DIR"])
    support.manage(env, "backup", "create")
    small = next(directory.glob("backup_*.sql.gz")).name
    code, checks = _preflight(env, small)
    assert checks["duration"]["status"] == "warn" and "backup drill" in checks["duration"]["detail"]

    support.manage(env, "backup", "drill", f"--file={small}")
    with support.admin_conn(db) as conn:  # a bigger database, a bigger backup
        conn.execute("INSERT INTO wiki_page (title, slug, content, tags, folder, author_id, created_at, updated_at) "
                     "SELECT 'More ' || g, 'more-' || g, repeat(md5(g::text), 40), '{}', 'docs', "
                     "(SELECT min(id) FROM accounts_user), now(), now() FROM generate_series(1, 500) g")
    support.manage(env, "backup", "create")
    big = max(p.name for p in directory.glob("backup_*.sql.gz"))
    with support.admin_conn(db) as conn:
        drill_s, drill_size = conn.execute("SELECT drill_duration_seconds, size FROM backups_app_backup "
                                           "WHERE name = %s", (small,)).fetchone()
        big_size, sql_size = conn.execute("SELECT size, sql_size FROM backups_app_backup WHERE name = %s",
                                          (big,)).fetchone()
    code, checks = _preflight(env, big)
    duration = checks["duration"]
    assert code == 0 and duration["status"] == "ok" and f"the drill of {small}" in duration["source"]
    assert duration["estimateSeconds"] == round(drill_s * big_size / drill_size, 1) > 0
    assert checks["manifest"]["sqlBytes"] == sql_size > big_size  # the uncompressed size is recorded
    assert checks["space"]["newSchemaBytes"] == sql_size
    assert checks["secrets"]["status"] == "ok"

    other = {**env, "JWT_SECRET": "another-jwt-secret-of-this-other-host-0123456789"}
    result = support.manage(other, "backup", "preflight", big, "--json")
    secrets = {c["check"]: c for c in json.loads(result.stdout[result.stdout.index("["):])}["secrets"]
    assert secrets["status"] == "warn" and secrets["differ"] == ["JWT_SECRET"]
    manifest = (directory / f"{big}.json").read_text()
    assert json.loads(manifest)["secretsFingerprint"]["JWT_SECRET"]
    for secret in (other["JWT_SECRET"], env.get("JWT_SECRET", "dev-only-jwt-secret-change-me-in-production-0000")):
        assert secret not in result.stdout and secret not in manifest


def test_a_running_backup_blocks_and_an_unknown_name_is_a_clear_error(live_db):
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    name = next(Path(env["BACKUP_DIR"]).glob("backup_*.sql.gz")).name
    conn = redis.Redis.from_url(env["REDIS_URL"])
    conn.set("papyrus:backups:lock", "backup by elsewhere.example:1", ex=30)  # another host's live holder
    code, checks = _preflight(env, name)
    assert code != 0 and checks["lock"]["status"] == "block" and "elsewhere.example" in checks["lock"]["detail"]
    conn.delete("papyrus:backups:lock")

    missing = support.manage(env, "backup", "preflight", "backup_2001-01-01_000009.sql.gz", check=False)
    assert missing.returncode != 0 and "not found" in missing.stderr
    hostile = support.manage(env, "backup", "preflight", "../../etc/passwd", check=False)
    assert hostile.returncode != 0 and "invalid --file" in hostile.stderr
