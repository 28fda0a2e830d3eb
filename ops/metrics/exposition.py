"""What a scrape returns: this app's series (all workers) plus prefixed process/Python collectors."""
from __future__ import annotations

import threading

from prometheus_client import REGISTRY, CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from . import multiproc

# Names of prometheus_client's default collectors in the global registry; we expose prefixed copies.
_DEFAULT_FAMILIES = ("process_", "python_gc_", "python_info")


class Prefixed:
    """Yields another collector's families renamed with `prefix` (PROMETHEUS_PREFIX renames everything)."""

    def __init__(self, collector, prefix: str):
        self.collector, self.prefix = collector, prefix

    def collect(self):
        for family in self.collector.collect():
            renamed = Metric(self.prefix + family.name, family.documentation, family.type)
            for s in family.samples:
                renamed.add_sample(self.prefix + s.name, s.labels, s.value, s.timestamp)
            yield renamed


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


class GlobalRegistry:
    """Single-process mode: the default registry minus its unprefixed default collectors."""

    def collect(self):
        for family in REGISTRY.collect():
            if not family.name.startswith(_DEFAULT_FAMILIES):
                yield family


_registries: dict[tuple[str, str], CollectorRegistry] = {}


def registry(prefix: str) -> CollectorRegistry:
    """The registry a scrape renders (built once per process, multiprocess directory and prefix)."""
    path = multiproc.directory()
    key = (path, prefix)
    if key not in _registries:
        _registries[key] = _build(path, prefix)
    return _registries[key]


def _build(path: str, prefix: str) -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    if path:
        reg.register(WithCustomCollectors(path))
        reg.register(Prefixed(WorkerProcessCollector(path), prefix))
    else:
        reg.register(GlobalRegistry())
        reg.register(Prefixed(ProcessCollector(registry=None), prefix))
        reg.register(Prefixed(GCCollector(registry=CollectorRegistry()), prefix))  # it insists on one
    reg.register(Prefixed(PlatformCollector(registry=None), prefix))
    return reg
