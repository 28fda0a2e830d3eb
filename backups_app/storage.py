"""Off-site copies in S3 (or an S3-compatible store) through django-storages' S3Storage.

Uploads are managed transfers (multipart above BACKUP_S3_MULTIPART_THRESHOLD); an object only
appears when the whole upload completed, and its ETag is compared with the one computed from the
local file (MD5 of the parts); when the store's ETag is not MD5-based (e.g. SSE-KMS) the object
is downloaded again and its SHA-256 compared instead.
"""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import storages
from s3transfer.utils import ChunksizeAdjuster
from storages.backends.s3 import S3Storage

from . import conf, names
from .dump import CHUNK, fsync_dir, sha256_of
from .errors import BackupError


class UploadMismatch(BackupError):
    """The uploaded object's checksum differs from the local file's."""


class ObjectLocked(BackupError):
    """A version of the backup or its manifest is under S3 Object Lock; nothing was deleted."""


def lock_args() -> dict:
    """Object Lock arguments for an upload (empty when BACKUP_S3_OBJECT_LOCK_DAYS is 0)."""
    days = conf.s3_object_lock_days()
    if not days:
        return {}
    return {"ObjectLockMode": conf.s3_object_lock_mode(),
            "ObjectLockRetainUntilDate": datetime.now(timezone.utc) + timedelta(days=days)}


def enabled() -> bool:
    return bool(conf.s3_bucket())


def storage() -> S3Storage:
    """A fresh S3Storage of the STORAGES alias BACKUP_STORAGE (boto3 resources are not shared across threads)."""
    return storages.create_storage(settings.STORAGES[conf.storage_alias()])


def transfer_config() -> TransferConfig:
    threshold, chunk = conf.s3_multipart()
    return TransferConfig(multipart_threshold=threshold, multipart_chunksize=chunk, max_concurrency=4)


def key(name: str) -> str:
    return conf.s3_prefix() + names.validate(name.removesuffix(".json")) + (".json" if name.endswith(".json") else "")


def expected_etag(path: Path, config: TransferConfig) -> str:
    """The ETag S3 gives an unencrypted upload of `path` done with `config`."""
    size = path.stat().st_size
    if size < config.multipart_threshold:
        return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
    part_size = ChunksizeAdjuster().adjust_chunksize(config.multipart_chunksize, size)
    digests = []
    with open(path, "rb") as f:
        while part := f.read(part_size):
            digests.append(hashlib.md5(part, usedforsecurity=False).digest())
    return f"{hashlib.md5(b''.join(digests), usedforsecurity=False).hexdigest()}-{len(digests)}"


def upload(path: Path, *, sha256: str) -> None:
    """Upload a backup and check what arrived; raise UploadMismatch (object deleted) when it differs."""
    store, config = storage(), transfer_config()
    object_key = key(path.name)
    store.bucket.upload_file(str(path), object_key, Config=config,
                             ExtraArgs={"Metadata": {"sha256": sha256}, "ContentType": "application/octet-stream" if names.is_encrypted(path.name) else "application/gzip",
                                        "ChecksumAlgorithm": "SHA256", **lock_args()})
    etag = store.bucket.Object(object_key).e_tag.strip('"')
    if _etag_is_md5(etag):
        matches = etag == expected_etag(path, config)
    else:
        matches = _remote_sha256(store, object_key) == sha256
    if not matches:
        store.bucket.Object(object_key).delete()
        raise UploadMismatch(f"S3 copy of {path.name} does not match the local file")


def upload_manifest(name: str, data: bytes) -> None:
    storage().bucket.put_object(Key=key(names.manifest_name(name)), Body=data,
                                ContentType="application/json",
                                ChecksumAlgorithm="SHA256", **lock_args())  # botocore hashes the body


def _etag_is_md5(etag: str) -> bool:
    head, _, parts = etag.partition("-")
    return len(head) == 32 and all(c in "0123456789abcdef" for c in head) and (not parts or parts.isdigit())


def _remote_sha256(store: S3Storage, object_key: str) -> str:
    digest = hashlib.sha256()
    body = store.bucket.Object(object_key).get()["Body"]
    for block in iter(lambda: body.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def list_names() -> set[str]:
    """Backup names present in the bucket (manifests and foreign objects ignored)."""
    prefix = conf.s3_prefix()
    found = set()
    for obj in storage().bucket.objects.filter(Prefix=prefix):
        name = obj.key[len(prefix):]
        if names.is_valid(name):
            found.add(name)
    return found


def exists(name: str) -> bool:
    return storage().exists(key(name))


def delete(name: str) -> None:
    """Remove every version of a backup and of its manifest (a plain DELETE on a versioned bucket only
    hides them behind a marker). Raise ObjectLocked, removing nothing, while any version is locked."""
    client, bucket = _client()
    until = locked_until(name)
    if until:
        raise ObjectLocked(f"{name} is under S3 Object Lock until {until:%Y-%m-%d %H:%M} UTC")
    for object_key in (key(name), key(names.manifest_name(name))):
        for version_id, _ in _versions(client, bucket, object_key):
            client.delete_object(Bucket=bucket, Key=object_key, **_version(version_id))


def locked_until(name: str) -> datetime | None:
    """The latest retain-until date, still in the future, of any version of the backup or its manifest."""
    client, bucket = _client()
    now, latest = datetime.now(timezone.utc), None
    for object_key in (key(name), key(names.manifest_name(name))):
        for version_id, is_marker in _versions(client, bucket, object_key):
            if is_marker:
                continue
            head = client.head_object(Bucket=bucket, Key=object_key, **_version(version_id))
            until = head.get("ObjectLockRetainUntilDate")
            if until and until > now and (latest is None or until > latest):
                latest = until
    return latest


def lock_configuration() -> dict | None:
    """The bucket's Object Lock configuration, or None when Object Lock is not enabled on it."""
    client, bucket = _client()
    try:
        found = client.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ObjectLockConfigurationNotFoundError":
            return None
        raise
    return found if found.get("ObjectLockEnabled") == "Enabled" else None


def _client():
    store = storage()
    return store.bucket.meta.client, store.bucket_name


def _version(version_id: str) -> dict:
    # An unversioned bucket lists one version called "null"; plain requests address it.
    return {} if version_id == "null" else {"VersionId": version_id}


def _versions(client, bucket: str, object_key: str):
    """(version id, is a delete marker) of every version of exactly `object_key`."""
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=object_key):
        for version in page.get("Versions", []):
            if version["Key"] == object_key:
                yield version["VersionId"], False
        for marker in page.get("DeleteMarkers", []):
            if marker["Key"] == object_key:
                yield marker["VersionId"], True


def object_metadata(name: str) -> dict:
    """The user metadata of a backup's object (e.g. the sha256 recorded at upload)."""
    return storage().bucket.Object(key(name)).metadata or {}


def read_head(name: str, size: int) -> bytes:
    """The first `size` bytes of a backup's object (one ranged GET)."""
    return storage().bucket.Object(key(name)).get(Range=f"bytes=0-{size - 1}")["Body"].read()


def bucket_reachable() -> bool:
    store = storage()
    store.bucket.meta.client.head_bucket(Bucket=store.bucket_name)
    return True


def read_manifest(name: str) -> bytes | None:
    store = storage()
    object_key = key(names.manifest_name(name))
    if not store.exists(object_key):
        return None
    return store.bucket.Object(object_key).get()["Body"].read()


def download(name: str, dest: Path, *, sha256: str | None = None) -> None:
    """Fetch a backup into `dest` atomically (temp, fsync, rename), mode 0600; check `sha256` when given."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.download.tmp")
    try:
        storage().bucket.download_file(key(name), str(tmp), Config=transfer_config())
        os.chmod(tmp, 0o600)
        if sha256 and sha256_of(tmp) != sha256:
            raise UploadMismatch(f"S3 copy of {name} does not match its manifest checksum")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.rename(tmp, dest)
        fsync_dir(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)
