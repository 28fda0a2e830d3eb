"""What a scrape returns: this app's series (all workers) plus the process and Python collectors,
unprefixed (`process_*`, `python_*`: the names standard dashboards and alerts expect)."""
from __future__ import annotations

import threading

from prometheus_client import REGISTRY, CollectorRegistry, PlatformCollector, ProcessCollector
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from . import multiproc

# Names of prometheus_client's default collectors in the global registry: in multiprocess mode they
# would describe only the process answering the scrape, so every worker's are read instead.
_DEFAULT_FAMILIES = ("process_", "python_gc_", "python_info")


class LockedMultiProcessCollector(MultiProcessCollector):
    """Reads the files under the shared lock, so a concurrent reap never shows a half-merged state."""

    def collect(self):
        with multiproc.locked(self._path):
            return list(super().collect())


class WithCustomCollectors:
    """Multiprocess mode: every worker's file-backed series, plus the families of scrape-time
    collectors other apps registered on the default registry (e.g. one reading the database),
    which have no files. Families already read from the files are not repeated."""

    def __init__(self, path: str):
        self.files = LockedMultiProcessCollector(None, path=path)

    def collect(self):
        families = self.files.collect()
        seen = {family.name for family in families}
        yield from families
        for family in REGISTRY.collect():
            if family.name not in seen and not family.name.startswith(_DEFAULT_FAMILIES):
                yield family


class WorkerProcessCollector:
    """process_* series (CPU, memory, fds, start time) of every live worker, labelled `pid`."""

    def __init__(self, path: str):
        self.path = path
        self.current = None
        self.lock = threading.Lock()
        self.process = ProcessCollector(pid=lambda: self.current, registry=None)

    def collect(self):
        families: dict[str, Metric] = {}
        with self.lock:
            for pid in multiproc.live_pids(self.path):
                self.current = pid
                for family in self.process.collect():
                    merged = families.setdefault(family.name, Metric(family.name, family.documentation, family.type))
                    for s in family.samples:
                        merged.add_sample(s.name, {**s.labels, "pid": str(pid)}, s.value)
        return list(families.values())


_registries: dict[str, CollectorRegistry] = {}


def registry() -> CollectorRegistry:
    """The registry a scrape renders (built once per process and multiprocess directory; the
    prefixed series carry their prefix in their names)."""
    path = multiproc.directory()
    if path not in _registries:
        _registries[path] = _build(path)
    return _registries[path]


def _build(path: str) -> CollectorRegistry:
    """Multiprocess: every worker's files, process_* of every live worker, python_info. Single
    process: the default registry as it is (process_*, python_gc_*, python_info included)."""
    if not path:
        return REGISTRY
    reg = CollectorRegistry(auto_describe=False)
    reg.register(WithCustomCollectors(path))
    reg.register(WorkerProcessCollector(path))
    reg.register(PlatformCollector(registry=None))
    return reg
