"""S3 Object Lock: locked uploads, the app's own credentials cannot delete them, retention expects it."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from . import support

CREDS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret", "AWS_REGION": "us-east-1"}


@pytest.fixture
def lock_bucket(moto):
    """A bucket with Object Lock enabled, and the app's credentials (the same the test client uses)."""
    name = support.unique("papyrus-locked").replace("_", "-")
    client = boto3.client("s3", endpoint_url=moto, region_name="us-east-1", aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    env = {**CREDS, "BACKUP_S3_BUCKET": name, "AWS_S3_ENDPOINT_URL": moto, "BACKUP_S3_OBJECT_LOCK_DAYS": "2"}
    return name, env, client


def _versions(client, bucket: str, key: str) -> list[str]:
    listed = client.list_object_versions(Bucket=bucket, Prefix=key)
    return [v["VersionId"] for v in listed.get("Versions", []) if v["Key"] == key]


def test_uploads_are_locked_and_survive_a_delete_with_the_apps_own_credentials(live_db, lock_bucket):
    db, env = live_db
    bucket, s3_env, client = lock_bucket
    env = {**env, **s3_env}
    support.seed(db)
    support.manage(env, "backup", "create")
    name = next(Path(env["BACKUP_DIR"]).glob("backup_*.sql.gz")).name
    key = f"backups/{name}"

    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert timedelta(days=1.9) < head["ObjectLockRetainUntilDate"] - datetime.now(timezone.utc) <= timedelta(days=2)
    assert client.head_object(Bucket=bucket, Key=f"{key}.json")["ObjectLockMode"] == "COMPLIANCE"

    (version,) = _versions(client, bucket, key)
    with pytest.raises(ClientError) as refused:
        client.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    client.delete_object(Bucket=bucket, Key=key)  # a plain delete only hides it behind a marker
    data = client.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read()
    assert data == (Path(env["BACKUP_DIR"]) / name).read_bytes()

    result = support.manage(env, "backup", "preflight", name, "--json")
    s3 = {c["check"]: c for c in json.loads(result.stdout[result.stdout.index("["):])}["s3"]
    assert s3["status"] == "ok" and s3["objectLock"] is True and "COMPLIANCE for 2 days" in s3["detail"]


def test_retention_keeps_locked_copies_as_expected_and_removes_every_version_of_unlocked_ones(live_db, lock_bucket):
    db, env = live_db
    bucket, s3_env, client = lock_bucket
    env = {**env, **s3_env, "BACKUP_RETENTION_DAYS": "7"}
    support.seed(db)
    support.manage(env, "backup", "create")
    newest = next(Path(env["BACKUP_DIR"]).glob("backup_*.sql.gz")).name
    locked, unlocked = "backup_2020-01-01_000000.sql.gz", "backup_2020-01-02_000000.sql.gz"
    until = datetime.now(timezone.utc) + timedelta(days=1)
    client.put_object(Bucket=bucket, Key=f"backups/{locked}", Body=b"old", ObjectLockMode="COMPLIANCE",
                      ObjectLockRetainUntilDate=until)
    client.put_object(Bucket=bucket, Key=f"backups/{unlocked}", Body=b"old v1")
    client.put_object(Bucket=bucket, Key=f"backups/{unlocked}", Body=b"old v2")  # two versions

    cleanup = support.manage(env, "backup", "cleanup")
    assert unlocked in cleanup.stdout and locked not in cleanup.stdout and newest not in cleanup.stdout
    assert _versions(client, bucket, f"backups/{unlocked}") == []  # gone, not hidden behind a marker
    assert len(_versions(client, bucket, f"backups/{locked}")) == 1
    again = support.manage(env, "backup", "cleanup")  # a locked copy is expected, not an error
    assert again.returncode == 0 and "removed 0 backup(s)" in again.stdout
