"""Multi-process safe log files, built on concurrent-log-handler's locked handlers.

Every write takes the library's exclusive file lock (a `.__<name>.lock` beside the log),
checks whether another process rotated the file, rotates if needed and appends whole
lines, so web workers and Celery processes share one directory without lost, repeated or
interleaved lines.

Lines below WARNING are buffered for at most BATCH_INTERVAL seconds or BATCH_SIZE lines and
written under one lock: the lock and its system calls cost ~4x the JSON formatting, and
the per-request `http` line must stay cheap. WARNING and above write at once (with
whatever is buffered before them, so order is kept); buffers are written at exit and
before a fork.
"""
import datetime as dt
import logging
import os
import re
import threading
import time
import weakref
from contextlib import suppress

from concurrent_log_handler import ConcurrentRotatingFileHandler, ConcurrentTimedRotatingFileHandler

from .conf import parse_retention

BATCH_SIZE = 64
BATCH_INTERVAL = 0.5  # seconds
# Size parts one day's file may have in day-based retention before the oldest part is dropped.
DAY_PARTS = 100
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.log(?:\.\d+)?$")
_DATED_LOCK = re.compile(r"^\.__(\d{4}-\d{2}-\d{2})\.lock$")
_ROTATED_SUFFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.\d+)?$")


def _utc_day(epoch: float) -> tuple[str, float]:
    """The UTC date of `epoch` as YYYY-MM-DD, and the epoch of the next UTC midnight."""
    day = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date()
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    return day.isoformat(), midnight.timestamp()


def _cutoff(days: int) -> str:
    """Dates before this YYYY-MM-DD are older than the retention window."""
    today = dt.datetime.now(dt.timezone.utc).date()
    return (today - dt.timedelta(days=days - 1)).isoformat()


class BatchedWrites:
    """Buffer formatted lines; write them in one locked, rotation-aware append."""

    def _start_batching(self) -> None:
        self._lines: list[str] = []
        self._flusher_pid = None
        self._closed = False
        ref = weakref.ref(self)
        os.register_at_fork(before=lambda: (h := ref()) and h.flush(),
                            after_in_child=lambda: (h := ref()) and h._forget_parent_buffer())

    def _forget_parent_buffer(self) -> None:
        self._lines = []
        self._flusher_pid = None

    def emit(self, record):
        try:
            self._lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - logging must not raise into the caller
            self.handleError(record)
            return
        if record.levelno >= logging.WARNING or len(self._lines) >= BATCH_SIZE:
            self.write_batch()
        elif self._flusher_pid != os.getpid():
            self._flusher_pid = os.getpid()
            threading.Thread(target=self._flush_periodically, name="ops-logging-flush", daemon=True).start()

    def _flush_periodically(self) -> None:
        while not self._closed:
            time.sleep(BATCH_INTERVAL)
            self.flush()

    def flush(self):
        self.acquire()
        try:
            self.write_batch()
        finally:
            self.release()

    def close(self):
        self.flush()
        self._closed = True
        super().close()

    def write_batch(self) -> None:
        """Append the buffered lines under the file lock, rotating at max size between lines."""
        lines, self._lines = self._lines, []
        if not lines:
            return
        try:
            self._lock()
            try:
                self._write_locked(lines)
            finally:
                self._unlock()
        except Exception:  # noqa: BLE001
            self.handleError(logging.makeLogRecord({"msg": f"{len(lines)} log lines not written"}))

    def _write_locked(self, lines: list[str]) -> None:
        self._check_current_file()
        if self.shouldRollover(None):  # time (midnight) or size, as the library decides
            self.doRollover()
        limit, size, chunk = self._max_bytes(), self._size(), []
        for line in lines:
            if limit and size >= limit and chunk:
                self._append("\n".join(chunk))
                chunk, size = [], 0
                self.doRollover()
            chunk.append(line)
            size += len(line) + 1  # ASCII JSON: characters are bytes
        self._append("\n".join(chunk))

    def _size(self) -> int:
        try:
            return os.path.getsize(self.baseFilename)
        except OSError:
            return 0


class RotatingFileHandler(BatchedWrites, ConcurrentTimedRotatingFileHandler):
    """`name.log`, rotated at UTC midnight and whenever it reaches `maxBytes`.

    Rotated files are `name.log.YYYY-MM-DD` (then `.1`, `.2` for size rotations the same
    day). `retention` "14d" deletes rotated files older than 14 days; "14" keeps 14 files.
    """

    def __init__(self, filename, maxBytes=0, retention="14d", **kwargs):
        kind, count = parse_retention(retention)
        self.retention_days = count if kind == "days" else None
        os.makedirs(os.path.dirname(os.path.abspath(filename)), exist_ok=True)
        super().__init__(filename, when="midnight", utc=True, maxBytes=maxBytes, backupCount=count, **kwargs)
        self._start_batching()

    # The library's emit() steps, on its inner size handler (self.clh), for a whole batch.
    def _lock(self):
        self.clh._do_lock()

    def _unlock(self):
        self.clh._do_unlock()

    def _check_current_file(self):
        self.clh._check_stream()

    def _append(self, text):
        self.clh.do_write(text)

    def _max_bytes(self):
        return self.clh.maxBytes

    def getFilesToDelete(self):
        if self.retention_days is None:
            return super().getFilesToDelete()
        directory, base = os.path.split(self.baseFilename)
        cutoff = _cutoff(self.retention_days)
        old = []
        for name in os.listdir(directory):
            match = _ROTATED_SUFFIX.match(name[len(base) + 1:]) if name.startswith(base + ".") else None
            if match and match.group(1) < cutoff:
                old.append(os.path.join(directory, name))
        return old


class DailyFileHandler(BatchedWrites, ConcurrentRotatingFileHandler):
    """`YYYY-MM-DD.log` in `directory`, named after the UTC day each record was made.

    A file reaching `maxBytes` rotates to `YYYY-MM-DD.log.1`, `.2`... When the day changes
    (and at start), days outside `retention` are deleted: "14d" keeps 14 days, "14" keeps
    the 14 newest days.
    """

    def __init__(self, directory, maxBytes=0, retention="14d", **kwargs):
        self.retention = parse_retention(retention)
        kind, count = self.retention
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.day, self.next_day_at = _utc_day(time.time())
        super().__init__(os.path.join(self.directory, f"{self.day}.log"), maxBytes=maxBytes,
                         backupCount=count if kind == "files" else DAY_PARTS, **kwargs)
        self._start_batching()
        self.prune()

    # The library's emit() steps, for a whole batch.
    def _lock(self):
        self._do_lock()

    def _unlock(self):
        self._do_unlock()

    def _check_current_file(self):
        self._check_stream()

    def _append(self, text):
        self.do_write(text)

    def _max_bytes(self):
        return self.maxBytes

    def emit(self, record):
        if record.created >= self.next_day_at:
            self._switch_day(record.created)
        super().emit(record)

    def _switch_day(self, epoch: float) -> None:
        """Write yesterday's buffer, close its file and lock; the next write opens the new day's pair."""
        self.write_batch()
        self._close()
        if self.stream_lock is not None:
            with suppress(OSError):
                self.stream_lock.close()
            self.stream_lock = None
        self.day, self.next_day_at = _utc_day(epoch)
        self.baseFilename = os.path.join(self.directory, f"{self.day}.log")
        self.lockFilename = self.getLockFilename(None)
        self.prune()

    def prune(self) -> None:
        """Delete dated files (and their locks) outside the retention window; races are harmless."""
        kind, count = self.retention
        dated = {}
        for name in os.listdir(self.directory):
            match = _DATED.match(name) or _DATED_LOCK.match(name)
            if match:
                dated.setdefault(match.group(1), []).append(name)
        if kind == "days":
            cutoff = _cutoff(count)
            expired = [day for day in dated if day < cutoff]
        else:
            expired = sorted(dated, reverse=True)[count:]
        for day in expired:
            if day == self.day:
                continue
            for name in dated[day]:
                with suppress(FileNotFoundError):
                    os.remove(os.path.join(self.directory, name))
