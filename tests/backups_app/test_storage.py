"""S3 transfers against moto's server: multipart uploads checked against the local file."""
import hashlib
import os

from backups_app import storage

from . import support

NAME = "backup_2026-03-01_020000.sql.gz"


def test_multipart_upload_is_checked_and_downloads_back(bucket, settings, tmp_path):
    bucket_name, env, client = bucket
    support.use_s3(settings, bucket=bucket_name, access_key=env["AWS_ACCESS_KEY_ID"],
                   secret_key=env["AWS_SECRET_ACCESS_KEY"], region=env["AWS_REGION"],
                   endpoint_url=env["AWS_S3_ENDPOINT_URL"])
    settings.BACKUP_S3_MULTIPART_CHUNKSIZE = 5 * 1024 * 1024
    path = tmp_path / NAME
    path.write_bytes(os.urandom(12 * 1024 * 1024))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()

    storage.upload(path, sha256=sha)
    head = client.head_object(Bucket=bucket_name, Key=f"backups/{NAME}")
    assert head["ETag"].strip('"').endswith("-3")  # three parts: a multipart upload
    assert head["ETag"].strip('"') == storage.expected_etag(path, storage.transfer_config())
    assert storage.list_names() == {NAME}

    again = tmp_path / "again" / NAME
    again.parent.mkdir()
    storage.download(NAME, again, sha256=sha)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == sha
    assert oct(again.stat().st_mode & 0o777) == "0o600"

    storage.delete(NAME)
    assert storage.list_names() == set()
