"""The operator's path: `manage.py backup ...` against a real database, compared row by row."""
import gzip
import json
import os
import stat
import subprocess
from pathlib import Path

from . import support


def _only_backup(directory):
    files = sorted(p.name for p in directory.glob("backup_*.sql.gz"))
    assert len(files) == 1, files
    return files[0]


def test_round_trip_restores_the_seeded_state(live_db):
    db, env = live_db
    support.seed(db)
    seeded = support.snapshot(db)

    out = support.manage(env, "backup", "create").stdout
    directory = Path(env["BACKUP_DIR"])
    name = _only_backup(directory)
    assert name in out
    assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600

    support.change(db)
    changed = support.snapshot(db)
    assert changed != seeded

    result = support.manage(env, "backup", "restore", f"--file={name}", "--yes")
    assert f"restored {name}" in result.stdout
    assert support.snapshot(db) == seeded
    assert support.schemas(db) == ["public"]  # the old schema went away with the swap

    # the safety backup (written while the restore loaded) holds exactly the state it replaced
    safety = next(p.name for p in directory.glob("backup_*.sql.gz") if p.name != name)
    listed = support.manage(env, "backup", "list").stdout
    assert name in listed and safety in listed
    support.manage(env, "backup", "restore", f"--file={safety}", "--yes")
    assert support.snapshot(db) == changed


def test_manifest_describes_the_file_and_stock_tools_restore_it(live_db):
    db, env = live_db
    support.seed(db, pages=12)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    name = _only_backup(directory)
    manifest = json.loads((directory / f"{name}.json").read_text())

    import hashlib
    assert manifest["sha256"] == hashlib.sha256((directory / name).read_bytes()).hexdigest()
    assert manifest["size"] == (directory / name).stat().st_size
    assert manifest["rowCounts"]["wiki_page"] == 12
    assert manifest["rowCounts"]["wiki_pagerevision"] == 12
    assert "wiki.0001_initial" in manifest["migrations"]
    assert manifest["postgresVersion"].startswith("15.")
    assert manifest["appVersion"]
    assert gzip.decompress((directory / name).read_bytes()).startswith(b"--\n-- PostgreSQL database dump")

    # `gunzip -c FILE | psql` into an empty database by hand gives the manifest's row counts
    empty = support.unique("papyrus_bk_empty")
    support.create_database(empty)
    try:
        url = support.db_url(empty)
        subprocess.run(f"gunzip -c {directory / name} | psql -q -v ON_ERROR_STOP=1 -o /dev/null '{url}'",
                       shell=True, check=True, capture_output=True)
        with support.admin_conn(empty) as conn:
            for table, count in manifest["rowCounts"].items():
                assert conn.execute(f"SELECT count(*) FROM public.{table}").fetchone()[0] == count, table
    finally:
        support.drop_database(empty)


def test_verify_and_drill_pass_on_a_good_backup(live_db):
    db, env = live_db
    support.seed(db, pages=5)
    support.manage(env, "backup", "create")
    verify = support.manage(env, "backup", "verify")
    assert "OK" in verify.stdout
    drill = support.manage(env, "backup", "drill")
    assert "passed" in drill.stdout
    listed = support.manage(env, "backup", "list").stdout
    assert "verified 20" in listed  # verified_at recorded
    with support.admin_conn() as conn:  # the scratch database was dropped
        assert not conn.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s", (f"%{db}_drill%",)).fetchall()


def test_cli_rejects_bad_names_and_missing_backups(live_db):
    _, env = live_db
    for bad in ("../../etc/passwd", "/etc/passwd", "backup_2026-02-30_000000.sql.gz", "x.sql.gz"):
        result = support.manage(env, "backup", "restore", f"--file={bad}", "--yes", check=False)
        assert result.returncode != 0
        assert "invalid --file" in result.stderr
    missing = support.manage(env, "backup", "restore", "--file=backup_2026-01-01_000000.sql.gz", "--yes",
                             check=False)
    assert missing.returncode != 0 and "not found" in missing.stderr
    assert support.manage(env, "backup", "restore", check=False).returncode != 0
    assert not os.path.exists(os.path.join(env["BACKUP_DIR"], "..", "passwd"))
