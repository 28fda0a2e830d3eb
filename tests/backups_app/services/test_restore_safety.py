"""Damaged backups are refused, and a restore failing halfway leaves the live data exactly as it was."""
import gzip
import hashlib
import json
from pathlib import Path

import redis

from .. import support


def _write_variant(directory: Path, name: str, data: bytes, *, sha256: str | None = None) -> None:
    (directory / name).write_bytes(data)
    manifest = {"name": name, "sha256": sha256 or hashlib.sha256(data).hexdigest(), "size": len(data),
                "rowCounts": {}, "migrations": []}
    (directory / f"{name}.json").write_text(json.dumps(manifest))


def _fails_halfway(sql: bytes) -> bytes:
    """The dump with a failing statement inserted after the middle COPY block."""
    ends = [i for i in range(len(sql)) if sql.startswith(b"\n\\.\n", i)]
    cut = ends[len(ends) // 2] + 4
    return sql[:cut] + b"\nSELECT 1/0; -- fails halfway\n" + sql[cut:]


def test_damaged_or_failing_backups_leave_live_data_unchanged(live_db):
    db, env = live_db
    support.seed(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    good = next(directory.glob("backup_*.sql.gz"))
    raw = good.read_bytes()
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0x01
    manifest_sha = json.loads((directory / f"{good.name}.json").read_text())["sha256"]

    cases = {
        # name: (bytes, recorded sha256 or None = the file's own, expected message)
        "backup_2001-01-01_000001.sql.gz": (raw[: len(raw) // 2], manifest_sha, "checksum mismatch"),
        "backup_2001-01-01_000002.sql.gz": (bytes(flipped), manifest_sha, "checksum mismatch"),
        "backup_2001-01-01_000003.sql.gz": (raw, "0" * 64, "checksum mismatch"),
        # checksums that match but content that is cut short / fails: caught while loading, rolled back
        "backup_2001-01-01_000004.sql.gz": (raw[: len(raw) // 2], None, "truncated"),
        "backup_2001-01-01_000005.sql.gz": (gzip.compress(_fails_halfway(gzip.decompress(raw))), None,
                                            "division by zero"),
    }
    for name, (data, sha, _) in cases.items():
        _write_variant(directory, name, data, sha256=sha)

    support.change(db)  # the live state to protect
    live = support.snapshot(db)
    for name, (_, _, message) in cases.items():
        result = support.manage(env, "backup", "restore", f"--file={name}", "--yes", check=False)
        assert result.returncode != 0, name
        assert message in result.stderr, (name, result.stderr)
        assert support.snapshot(db) == live, f"live data changed by the failed restore of {name}"
        assert support.schemas(db) == ["public"]

    # afterwards: no maintenance left on, lock free, `verify` names every damaged file
    conn = redis.Redis.from_url(env["REDIS_URL"])
    assert not conn.exists("papyrus:backups:maintenance") and not conn.exists("papyrus:backups:lock")
    verify = support.manage(env, "backup", "verify", check=False)
    assert verify.returncode != 0
    for name in list(cases)[:4]:
        assert f"{name}: FAILED" in verify.stdout
    assert f"{good.name}: OK" in verify.stdout
