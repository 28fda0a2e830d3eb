"""Multiprocess mode: one directory of mmap files shared by every worker.

prometheus_client writes each process's values to `<type>_<pid>.db` files in
PROMETHEUS_MULTIPROC_DIR (an environment variable, read when prometheus_client is
imported, so the launcher sets it). Two chores it leaves to us:

* wipe the directory when the server starts (`prepare_directory`, or
  `python -m ops.metrics.multiproc DIR` from a shell launcher; scripts/run.py and
  tests/support/live.py call it);
* reap dead workers (`reap_dead`, run before each scrape): their live gauges are dropped
  (`mark_process_dead`) and their counters, histograms and summing gauges are merged into
  one `<type>_archive.db` per type, so counters never go backwards and a scrape reads
  live workers + one archive, however many workers have come and gone.
  `gauge_all`/`liveall` values of a dead pid are dropped (they are labelled by that pid).

Scrapes hold a shared flock on `.lock`; reaping takes it exclusively (and skips when
busy), so a scrape never sees a file both merged and still present.
"""
from __future__ import annotations

import fcntl
import os
import sys
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
LOCK = ".lock"
ARCHIVE = "archive"
# Gauge modes whose dead-pid values are merged; "all" modes are dropped, "live*" removed.
MERGED_GAUGE_MODES = {"sum": "sum", "max": "max", "min": "min", "mostrecent": "mostrecent"}


def directory() -> str:
    """The multiprocess directory of this process ("" when single-process)."""
    return os.environ.get(ENV, "")


def prepare_directory(path: str | os.PathLike) -> Path:
    """Create `path` and delete every metrics file in it: call once before workers start."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for f in path.iterdir():
        if f.suffix == ".db" or f.name == LOCK or f.name.endswith(".db.tmp"):
            f.unlink(missing_ok=True)
    return path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def files_by_pid(path: str) -> dict[int, list[str]]:
    """`{pid: [file names]}` for the per-process files (the archive is not a pid)."""
    found = defaultdict(list)
    for name in os.listdir(path):
        if name.endswith(".db"):
            pid = name[:-3].rpartition("_")[2]
            if pid.isdigit():
                found[int(pid)].append(name)
    return found


def live_pids(path: str) -> list[int]:
    return sorted(pid for pid in files_by_pid(path) if pid_alive(pid))


@contextmanager
def locked(path: str, exclusive: bool = False, wait: bool = True):
    """flock on `<path>/.lock`; yields False when `wait=False` and the lock is busy."""
    fd = os.open(os.path.join(path, LOCK), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def reap_dead(path: str) -> list[int]:
    """Fold the files of dead processes into the archive; returns the reaped pids."""
    if not any(not pid_alive(pid) for pid in files_by_pid(path)):
        return []  # the common case: one listdir and a few kill(0)s
    with locked(path, exclusive=True, wait=False) as got:
        if not got:
            return []  # another worker is reaping right now
        dead = {pid: names for pid, names in files_by_pid(path).items() if not pid_alive(pid)}
        _fold(path, [name for names in dead.values() for name in names], dead)
        return sorted(dead)


def _fold(path: str, names: list[str], dead: dict[int, list[str]]) -> None:
    from prometheus_client import multiprocess  # noqa: PLC0415 - prometheus_client reads the env var at import

    for pid in dead:
        multiprocess.mark_process_dead(pid, path)
    groups = defaultdict(list)
    for name in names:
        kind = _archive_kind(name)
        if kind:
            groups[kind].append(os.path.join(path, name))
    for kind, files in groups.items():
        _write_archive(path, kind, files)
    for name in names:  # merged or not worth keeping
        Path(path, name).unlink(missing_ok=True)


def _archive_kind(name: str) -> str | None:
    """`counter`, `histogram`, `summary` or `gauge_<mode>` for files worth merging."""
    parts = name[:-3].split("_")
    if parts[0] in ("counter", "histogram", "summary"):
        return parts[0]
    if parts[0] == "gauge" and parts[1] in MERGED_GAUGE_MODES:
        return f"gauge_{parts[1]}"
    return None


def _write_archive(path: str, kind: str, files: list[str]) -> None:
    """Merge `files` and the current archive of `kind` into a new archive (atomic rename)."""
    from prometheus_client.mmap_dict import MmapedDict, mmap_key  # noqa: PLC0415 - as _fold
    from prometheus_client.multiprocess import MultiProcessCollector  # noqa: PLC0415 - as _fold

    archive = os.path.join(path, f"{kind}_{ARCHIVE}.db")
    sources = files + ([archive] if os.path.exists(archive) else [])
    merged = MultiProcessCollector.merge(sources, accumulate=False)
    tmp = archive + ".tmp"
    Path(tmp).unlink(missing_ok=True)
    out = MmapedDict(tmp)
    try:
        for metric in merged:
            for sample in metric.samples:
                labels = {k: v for k, v in sample.labels.items() if k != "pid"}
                key = mmap_key(metric.name, sample.name, list(labels), list(labels.values()), metric.documentation)
                out.write_value(key, sample.value, sample.timestamp or 0.0)
    finally:
        out.close()
    os.replace(tmp, archive)


def main(argv: list[str]) -> int:
    """`python -m ops.metrics.multiproc [DIR]`: wipe DIR (default $PROMETHEUS_MULTIPROC_DIR)."""
    target = argv[0] if argv else directory()
    if not target:
        print(f"usage: python -m ops.metrics.multiproc DIR   (or set {ENV})", file=sys.stderr)
        return 2
    print(f"prometheus multiprocess directory ready: {prepare_directory(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
