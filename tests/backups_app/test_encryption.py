"""age encryption: encrypted files, restorable by the app and by the stock age | gunzip | psql pipeline;
a wrong identity or an altered file is refused before the database is touched."""
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from pyrage import x25519

from . import support


@pytest.fixture
def keys(tmp_path):
    """Two recipients (the second an offline escrow key), the first one's identity file, and a stranger's."""
    mine, escrow, stranger = (x25519.Identity.generate() for _ in range(3))
    identity, wrong = tmp_path / "key.txt", tmp_path / "stranger.txt"
    identity.write_text(f"# papyrus backups\n{mine}\n")
    wrong.write_text(f"{stranger}\n")
    env = {"BACKUP_AGE_RECIPIENTS": f"{mine.to_public()},{escrow.to_public()}",
           "BACKUP_AGE_IDENTITY_FILE": str(identity)}
    return env, identity, wrong


def _count(db: str, table: str) -> int:
    with support.admin_conn(db) as conn:
        return conn.execute(f"SELECT count(*) FROM public.{table}").fetchone()[0]


def test_encrypted_round_trip_through_the_app_and_the_stock_pipeline(live_db, keys, bucket):
    db, env = live_db
    key_env, identity, _ = keys
    bucket_name, s3_env, client = bucket
    env = {**env, **key_env, **s3_env}
    support.seed(db)
    seeded = support.snapshot(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    (path,) = directory.glob("backup_*.age")
    assert path.name.endswith(".sql.gz.age") and path.read_bytes().startswith(b"age-encryption.org/v1")
    manifest = json.loads((directory / f"{path.name}.json").read_text())
    assert manifest["encryption"] == "age" and manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    plain = subprocess.run(["age", "-d", "-i", str(identity), str(path)], capture_output=True, check=True).stdout
    assert hashlib.sha256(plain).hexdigest() == manifest["plaintextSha256"] and plain[:2] == b"\x1f\x8b"
    stored = client.get_object(Bucket=bucket_name, Key=f"backups/{path.name}")["Body"].read()
    assert stored.startswith(b"age-encryption.org/v1") and stored == path.read_bytes()

    # the stock path, documented for operators: age -d | gunzip | psql
    scratch = support.unique("papyrus_stock")
    support.create_database(scratch)
    try:
        subprocess.run(f"age -d -i {identity} {path} | gunzip | psql -q -v ON_ERROR_STOP=1 '{support.db_url(scratch)}'",
                       shell=True, check=True, capture_output=True)
        for table, rows in manifest["rowCounts"].items():
            assert _count(scratch, table) == rows, table
    finally:
        support.drop_database(scratch)

    # the app: drill and verify prove the identity; restore brings the data back
    support.manage(env, "backup", "drill")
    assert ": OK" in support.manage(env, "backup", "verify").stdout
    support.change(db)
    support.manage(env, "backup", "restore", f"--file={path.name}", "--yes")
    assert support.snapshot(db) == seeded
    safety = [p.name for p in directory.glob("backup_*") if p.name != path.name and not p.name.endswith(".json")]
    assert safety and all(n.endswith(".age") for n in safety)  # the safety backup is encrypted too


def test_a_wrong_identity_or_an_altered_file_is_refused_before_anything_changes(live_db, keys):
    db, env = live_db
    key_env, _, wrong = keys
    env = {**env, **key_env}
    support.seed(db)
    support.manage(env, "backup", "create")
    directory = Path(env["BACKUP_DIR"])
    (path,) = directory.glob("backup_*.age")
    support.change(db)
    live = support.snapshot(db)

    stranger = {**env, "BACKUP_AGE_IDENTITY_FILE": str(wrong)}
    refused = support.manage(stranger, "backup", "restore", f"--file={path.name}", "--yes", check=False)
    assert refused.returncode != 0 and "cannot be decrypted" in refused.stderr
    preflight = support.manage(stranger, "backup", "preflight", path.name, check=False)
    assert preflight.returncode != 0 and "block encryption" in preflight.stdout
    assert [p.name for p in directory.glob("backup_*.age")] == [path.name]  # not even a safety backup
    assert support.snapshot(db) == live

    # an attacker who rewrites the file and its manifest: age's authentication catches it while loading
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    altered = directory / "backup_2001-01-01_000001.sql.gz.age"
    altered.write_bytes(bytes(data))
    manifest = json.loads((directory / f"{path.name}.json").read_text())
    manifest.update(name=altered.name, sha256=hashlib.sha256(bytes(data)).hexdigest())
    (directory / f"{altered.name}.json").write_text(json.dumps(manifest))
    failed = support.manage(env, "backup", "restore", f"--file={altered.name}", "--yes", check=False)
    assert failed.returncode != 0 and "failed age authentication" in failed.stderr
    assert support.snapshot(db) == live and support.schemas(db) == ["public"]
