#!/usr/bin/env python3
"""Base backups + retention for the docker-compose postgres data volume (docs/pitr.md).

barman-cloud-backup has no streaming mode: it starts the backup over a libpq connection
(pg_backup_start) but reads PGDATA's files itself, so it must run where the data directory is
mounted, at the path the server reports (`SHOW data_directory`). In compose that is the
`pitr-base` service: this image, the `pgdata` volume mounted read-only at the same path, user
postgres (the files' owner), a libpq connection to the `postgres` service (PG* variables).

    papyrus-base-backup          every minute matching BACKUP_BASE_SCHEDULE (UTC): a base backup,
                                 then barman-cloud-backup-delete "RECOVERY WINDOW OF N DAYS"
    papyrus-base-backup --now    once, now (operators, tests)

A no-op until BACKUP_PITR_ENABLED=true and BACKUP_S3_BUCKET are set (like papyrus-archive-wal).
Stdlib only: the image has barman's python3, not the app.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone

# cron field: (lowest, highest) value; weekday 0-6 from Sunday, as Celery beat (BACKUP_BASE_SCHEDULE's
# meaning in the app) accepts it
RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def cron_values(field: str, low: int, high: int) -> set[int]:
    """One cron field ("*", "5", "1-5", "*/15", "0,30", "10-50/20") → the values it matches."""
    values = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (int(x) for x in span.split("-", 1))
        else:
            first = last = int(span)
            if step:
                last = high
        if not (low <= first <= last <= high) or (step and int(step) < 1):
            raise ValueError(f"cron field {field!r} is outside {low}-{high}")
        values.update(range(first, last + 1, int(step or 1)))
    return values


def parse(expression: str) -> list[set[int]]:
    """The values each of the five fields matches."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"BACKUP_BASE_SCHEDULE {expression!r} needs 5 fields (minute hour day month weekday)")
    return [cron_values(field, *bounds) for field, bounds in zip(fields, RANGES)]


def due(schedule: list[set[int]], now: datetime) -> bool:
    """Whether `now`'s minute matches every field (day-of-month AND weekday, as Celery beat has it)."""
    minute, hour, mday, month, wday = schedule
    return (now.minute in minute and now.hour in hour and now.day in mday and now.month in month
            and (now.weekday() + 1) % 7 in wday)


def cloud_args() -> list[str]:
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    return ["--cloud-provider", "aws-s3", *(["--endpoint-url", endpoint] if endpoint else [])]


def destination() -> list[str]:
    prefix = os.environ.get("BACKUP_PITR_PREFIX", "wal/").strip("/") or "wal"
    return [f"s3://{os.environ['BACKUP_S3_BUCKET']}/{prefix}", os.environ.get("BACKUP_PITR_SERVER_NAME") or "papyrus"]


def retention_days() -> int:
    return int(os.environ.get("BACKUP_PITR_RETENTION_DAYS") or os.environ.get("BACKUP_RETENTION_DAYS") or 30)


def run_once() -> int:
    """A base backup, then retention (only after a successful backup: the older ones are all there is)."""
    name = "papyrus-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    began = time.monotonic()
    done = subprocess.run(["barman-cloud-backup", "--gzip", *cloud_args(), "-n", name, *destination()])
    if done.returncode != 0:
        print(f"papyrus-base-backup: base backup {name} FAILED (exit {done.returncode})", flush=True)
        return done.returncode
    print(f"papyrus-base-backup: base backup {name} taken in {time.monotonic() - began:.1f}s", flush=True)
    policy = f"RECOVERY WINDOW OF {retention_days()} DAYS"
    done = subprocess.run(["barman-cloud-backup-delete", *cloud_args(), "-r", policy, *destination()])
    if done.returncode != 0:
        print(f"papyrus-base-backup: retention ({policy}) FAILED (exit {done.returncode})", flush=True)
    return done.returncode


def enabled() -> bool:
    return os.environ.get("BACKUP_PITR_ENABLED", "false").lower() == "true" and bool(os.environ.get("BACKUP_S3_BUCKET"))


def main(argv: list[str]) -> int:
    if not enabled():
        print("papyrus-base-backup: BACKUP_PITR_ENABLED is not true or BACKUP_S3_BUCKET is empty: nothing to do",
              flush=True)
        if argv[1:] == ["--now"]:
            return 0
        while True:  # stay up (restart: unless-stopped would loop otherwise); .env changes need a restart
            time.sleep(3600)
    if argv[1:] == ["--now"]:
        return run_once()
    schedule = parse(os.environ.get("BACKUP_BASE_SCHEDULE") or "30 1 * * *")
    print(f"papyrus-base-backup: on {os.environ.get('BACKUP_BASE_SCHEDULE') or '30 1 * * *'} (UTC)", flush=True)
    last = None
    while True:
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        if now != last and due(schedule, now):
            last = now
            run_once()
        time.sleep(20)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
