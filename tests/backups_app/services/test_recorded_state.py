"""Issue 19 item 8: a backup's recorded state comes only from what was verified, a killed create
or restore says so, and every refusal is counted."""
import json
import os
import socket
from pathlib import Path

import redis

from .. import support

FAILURES = "papyrus:backups:failures:"


def _row(db: str, name: str):
    with support.admin_conn(db) as conn:
        return conn.execute("SELECT status, size, error FROM backups_app_backup WHERE name = %s", (name,)).fetchone()


def _failures(env: dict) -> dict:
    conn = redis.Redis.from_url(env["REDIS_URL"])
    return {op: int(conn.get(FAILURES + op) or 0) for op in ("create", "restore", "verify", "drill")}


def test_a_damaged_file_with_a_manifest_is_never_recorded_as_a_good_backup(live_db):
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    [good] = [p for p in directory.glob("backup_*.sql.gz")]
    manifest = json.loads((directory / f"{good.name}.json").read_text())
    damaged = "backup_2001-01-01_000001.sql.gz"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    (directory / damaged).write_bytes(bytes(data))
    (directory / f"{damaged}.json").write_text(json.dumps({**manifest, "name": damaged, "size": 999_999_999}))

    for action in ("restore", "verify", "drill"):
        extra = ["--yes"] if action == "restore" else []
        result = support.manage(env, "backup", action, f"--file={damaged}", *extra, check=False)
        assert result.returncode != 0 and "checksum mismatch" in (result.stderr + result.stdout), action
        assert _row(db, damaged) is None, f"{action} recorded the damaged file"
    assert damaged not in support.manage(env, "backup", "list").stdout
    assert damaged not in support.manage(env, "backup", "list", "--all").stdout
    assert _failures(env) == {"create": 0, "restore": 1, "verify": 1, "drill": 1}

    # A file recorded as good that is damaged afterwards stops counting as a good backup...
    original = good.read_bytes()
    good.write_bytes(bytes(data))
    assert support.manage(env, "backup", "verify", f"--file={good.name}", check=False).returncode != 0
    status, _, error = _row(db, good.name)
    assert status == "failed" and error.startswith("damaged: checksum mismatch")
    assert good.name not in support.manage(env, "backup", "list").stdout
    # ...until a good copy is back (e.g. fetched again), verified.
    good.write_bytes(original)
    assert "OK" in support.manage(env, "backup", "verify", f"--file={good.name}").stdout
    assert _row(db, good.name)[0] == "success"

    # A file known only from its files is recorded once verified, with the size on disk.
    stray = "backup_2001-01-01_000002.sql.gz"
    (directory / stray).write_bytes(original)
    (directory / f"{stray}.json").write_text(json.dumps({**manifest, "name": stray, "size": 1}))
    support.manage(env, "backup", "verify", f"--file={stray}")
    assert _row(db, stray)[:2] == ("success", len(original))


def test_recover_refuses_while_a_live_holder_runs(live_db):
    db, env = live_db
    conn = redis.Redis.from_url(env["REDIS_URL"])
    conn.set("papyrus:backups:lock", f"restore by {socket.gethostname()}:{os.getpid()}", ex=30)  # alive: us
    conn.set("papyrus:backups:maintenance", "1", ex=30)
    result = support.manage(env, "backup", "recover", check=False)
    assert result.returncode != 0 and "another backup or restore is running" in result.stderr
    assert conn.exists("papyrus:backups:maintenance")
    conn.delete("papyrus:backups:lock")
    assert "maintenance mode turned off" in support.manage(env, "backup", "recover").stdout
    assert not conn.exists("papyrus:backups:maintenance")
