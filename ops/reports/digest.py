"""The weekly error digest: error lines in LOG_DIR's JSON logs counted and ranked.

Reads `combined.log*` and `error.log*` (rotated and gzipped copies included). An error is
written to both files: a line found n times in one family and m times in the other counts
max(n, m) times, so nothing is counted twice and genuinely repeated lines still count.
"""
from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ERROR_LEVELS = {"error", "critical", "fatal"}
FAMILIES = ("combined.log*", "error.log*")


@dataclass
class ErrorDigest:
    since: datetime
    until: datetime
    log_dir: str
    errors: int = 0
    unparsed: int = 0
    files: int = 0
    messages: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)

    def as_dict(self, top: int = 10) -> dict:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "logDir": self.log_dir,
                "errors": self.errors, "unparsedLines": self.unparsed, "files": self.files,
                "topMessages": [{"message": m, "count": n} for m, n in self.messages.most_common(top)],
                "topRoutes": [{"route": r, "count": n} for r, n in self.routes.most_common(top)]}

    def text(self, top: int = 10) -> str:
        days = (self.until - self.since).total_seconds() / 86400
        lines = [f"Error digest {self.since:%Y-%m-%d %H:%M} → {self.until:%Y-%m-%d %H:%M} UTC ({days:g} days), "
                 f"{self.files} files in {self.log_dir}",
                 f"errors: {self.errors}" + (f" (unparsed lines skipped: {self.unparsed})" if self.unparsed else "")]
        for title, counter in (("top messages", self.messages), ("top routes", self.routes)):
            lines.append(f"{title}:")
            lines += [f"  {n:6d}  {key}" for key, n in counter.most_common(top)] or ["  (none)"]
        return "\n".join(lines)


def error_digest(*, log_dir: str | Path, days: float = 7, now: datetime | None = None) -> ErrorDigest:
    """Count error lines of the last `days` in `log_dir`, by message and by route."""
    until = now or datetime.now(timezone.utc)
    digest = ErrorDigest(since=until - timedelta(days=days), until=until, log_dir=str(log_dir))
    lines: Counter = Counter()
    for pattern in FAMILIES:
        family: Counter = Counter()
        for path in log_files(Path(log_dir), pattern, since=digest.since):
            digest.files += 1
            family.update(read_lines(path))
        lines |= family  # per line, the larger of the two families' counts
    records = [(record, times) for record, times in parse(lines, digest) if in_window(record, digest)]
    routes = {r["requestId"]: r["route"] for r, _ in records if r.get("requestId") and r.get("route")}
    for record, times in records:
        if str(record.get("level", "")).lower() in ERROR_LEVELS:
            count_error(digest, record, times, routes)
    return digest


def log_files(log_dir: Path, pattern: str, *, since: datetime) -> list[Path]:
    """The files matching `pattern` that may hold lines newer than `since` (older ones are skipped unread)."""
    if not log_dir.is_dir():
        return []
    cutoff = since.timestamp()
    return sorted(p for p in log_dir.glob(pattern) if p.is_file() and p.stat().st_mtime >= cutoff)


def read_lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                yield line.strip()


def parse(lines: Counter, digest: ErrorDigest):
    """(record, times) for every JSON line; the others are counted as unparsed."""
    for raw, times in lines.items():
        try:
            record = json.loads(raw)
            record["_when"] = parse_timestamp(record.get("timestamp"))
        except (ValueError, AttributeError, TypeError):
            digest.unparsed += times
            continue
        yield record, times


def in_window(record: dict, digest: ErrorDigest) -> bool:
    return record["_when"] is not None and digest.since <= record["_when"] <= digest.until


def count_error(digest: ErrorDigest, record: dict, times: int, routes: dict) -> None:
    """Count one error line by message and by route.

    The route is the line's own, else the route of the request line with the same requestId
    (logged at `http` level), else the path Django's request logger puts after the colon.
    """
    message = str(record.get("message", ""))
    route = record.get("route") or routes.get(record.get("requestId")) or record.get("path")
    if not route and record.get("logger") == "django.request" and ": /" in message:
        route = message.rsplit(": ", 1)[1]
    digest.errors += times
    digest.messages[message[:160]] += times
    digest.routes[str(route or "-")] += times


def parse_timestamp(value) -> datetime | None:
    """ISO 8601 (`2026-11-27T10:00:00.123Z`) → aware datetime; None when absent."""
    if not value:
        return None
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
