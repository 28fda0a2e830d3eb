"""barman-cloud, the tool that archives WAL and takes base backups: commands, environment, listings.

Layout in the bucket (barman-cloud's own): s3://BACKUP_S3_BUCKET/<prefix>/<server>/wals/<tli+log>/<segment>.gz
and .../base/<backup_id>/{backup.info,data.tar.gz}. barman-cloud runs as the OS user owning the
data directories (`postgres`; through runuser when this process is root): base backups read
PGDATA's files, restores must leave files PostgreSQL will accept.

Credentials travel in the child's environment (AWS_*), never on a command line or in a log.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from datetime import datetime
from urllib.parse import urlsplit

from .. import conf
from ..errors import BackupError
from ..storage import storage

TOOLS = ("barman-cloud-wal-archive", "barman-cloud-wal-restore", "barman-cloud-backup", "barman-cloud-restore",
         "barman-cloud-backup-delete")


class PitrError(BackupError):
    """A point-in-time recovery operation failed; the message is meant for people."""


def destination() -> str:
    """barman-cloud's destination URL: s3://bucket/prefix."""
    if not conf.s3_bucket():
        raise PitrError("BACKUP_S3_BUCKET is not set: WAL archiving needs a bucket")
    return f"s3://{conf.s3_bucket()}/{conf.pitr_prefix()}"


def cloud_args() -> list[str]:
    endpoint = conf.aws_options()["endpoint_url"]
    return ["--cloud-provider", "aws-s3", *(["--endpoint-url", endpoint] if endpoint else [])]


def aws_env() -> dict:
    """The AWS_* variables barman-cloud's boto3 reads (only the ones set)."""
    options = conf.aws_options()
    pairs = {"AWS_ACCESS_KEY_ID": options["access_key"], "AWS_SECRET_ACCESS_KEY": options["secret_key"],
             "AWS_DEFAULT_REGION": options["region"]}
    return {k: v for k, v in pairs.items() if v}


def tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if not found:
        raise PitrError(f"{name} not found: install barman-cloud (Debian package barman-cli-cloud, "
                        "scripts/install-system-deps.sh)")
    return found


def missing_tools() -> list[str]:
    return [t for t in TOOLS if not (shutil.which(t) or os.path.exists(f"/usr/bin/{t}"))]


def as_os_user(cmd: list[str]) -> list[str]:
    """Run `cmd` as BACKUP_PITR_OS_USER: through runuser when root (environment kept), as is otherwise."""
    if os.geteuid() == 0:
        return ["runuser", "-u", conf.pitr_os_user(), "--", *cmd]
    return cmd


def child_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PG"))}
    env.update(aws_env())
    env.update(extra or {})
    return env


def run(cmd: list[str], *, what: str, timeout: float | None = None, env: dict | None = None,
        as_owner: bool = True) -> subprocess.CompletedProcess:
    """Run a barman-cloud/PostgreSQL command; raise PitrError naming `what` and the tool's last words."""
    argv = as_os_user(cmd) if as_owner else cmd
    try:
        done = subprocess.run(argv, env=child_env(env), cwd="/", capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise PitrError(f"{what} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PitrError(f"{what} failed (exit {done.returncode}): {' | '.join(tail) or 'no output'}")
    return done


def archive_command(*, credentials_file: str | None = None) -> str:
    """PostgreSQL's archive_command: barman-cloud-wal-archive ships %p (gzip'd) under the prefix.

    barman-cloud-wal-archive exits non-zero unless the object was uploaded completely, so PostgreSQL
    keeps the segment (and retries) until it is safe in the bucket.
    """
    parts = []
    if credentials_file:  # the local cluster's postmaster has no AWS_* in its environment
        parts.append(f"AWS_SHARED_CREDENTIALS_FILE={shlex.quote(credentials_file)}")
        if conf.aws_options()["region"]:
            parts.append(f"AWS_DEFAULT_REGION={shlex.quote(conf.aws_options()['region'])}")
    parts += [tool("barman-cloud-wal-archive"), "--gzip", *map(shlex.quote, cloud_args()),
              shlex.quote(destination()), shlex.quote(conf.pitr_server_name()), "%p"]
    return " ".join(parts)


def restore_command() -> str:
    """restore_command for a recovering cluster (AWS_* come from the environment pg_ctl started it with)."""
    return " ".join([tool("barman-cloud-wal-restore"), *map(shlex.quote, cloud_args()),
                     shlex.quote(destination()), shlex.quote(conf.pitr_server_name()), "%f", "%p"])


# --- listings (boto3 straight on the bucket: barman's JSON listing drops the time zone) -------


def _s3():
    return storage().connection.meta.client


def _root() -> tuple[str, str]:
    url = urlsplit(destination())
    return url.netloc, f"{url.path.strip('/')}/{conf.pitr_server_name()}/"


def base_backups() -> list[dict]:
    """Completed base backups, oldest first: {"id", "begin_time", "end_time", "begin_wal", "end_wal"}."""
    bucket, root = _root()
    client = _s3()
    found = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root + "base/"):
        for obj in page.get("Contents", []):
            if obj["Key"].endswith("/backup.info"):
                body = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode()
                info = parse_info(body)
                if info.get("status") == "DONE" and info.get("end_time"):
                    found.append({"id": obj["Key"].rsplit("/", 2)[-2], "name": info.get("backup_name") or "",
                                  "begin_time": _time(info["begin_time"]), "end_time": _time(info["end_time"]),
                                  "begin_wal": info.get("begin_wal", ""), "end_wal": info.get("end_wal", ""),
                                  "size": int(info.get("size") or 0)})
    return sorted(found, key=lambda b: b["end_time"])


def parse_info(text: str) -> dict:
    """barman's backup.info: key=value lines."""
    info = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and value.strip() != "None":  # barman writes None for unset fields
            info[key.strip()] = value.strip()
    return info


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def newest_wal() -> dict | None:
    """The newest archived WAL segment: {"name", "archived_at"} (S3's LastModified), or None."""
    bucket, root = _root()
    client = _s3()
    folders = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root + "wals/",
                                                                 Delimiter="/"):
        folders += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    for folder in sorted(folders, reverse=True):  # one folder per 4 GB of WAL: read only the newest
        objects = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder):
            objects += [o for o in page.get("Contents", []) if _is_segment(o["Key"].rsplit("/", 1)[-1])]
        if objects:
            newest = max(objects, key=lambda o: o["Key"])
            return {"name": segment_name(newest["Key"]), "archived_at": newest["LastModified"]}
    return None


def wal_segments() -> list[str]:
    """Names of every archived WAL segment, sorted."""
    bucket, root = _root()
    names = []
    for page in _s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root + "wals/"):
        names += [segment_name(o["Key"]) for o in page.get("Contents", [])
                  if _is_segment(o["Key"].rsplit("/", 1)[-1])]
    return sorted(names)


def segment_name(key: str) -> str:
    return key.rsplit("/", 1)[-1].split(".", 1)[0]


def _is_segment(filename: str) -> bool:
    """000000010000000000000003(.gz): a WAL segment (not a .history, .backup or .partial file)."""
    stem, _, ext = filename.partition(".")
    return len(stem) == 24 and all(c in "0123456789ABCDEF" for c in stem) and ext in ("", "gz", "bz2", "snappy")
