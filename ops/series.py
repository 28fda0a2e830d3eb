"""Prometheus series named `<PROMETHEUS_PREFIX><name>`: the one place the ops apps create them.

A module declares its series once; importing it registers nothing, and the prefix is read
(ops.requestfacts.prefix) when the series are used:

    SERIES = series.SeriesSet(
        series.counter("cache_hits_total", "Cache lookups answered from Redis.", ["cache"]),
        duration=series.histogram("http_request_duration_seconds", "Time ...", ["route"], buckets=(0.1, 1.0)))
    SERIES.current().cache_hits_total.labels(cache="pages").inc()
    SERIES.current().duration.labels("/api/pages").observe(0.02)

`current()` is the set of the configured prefix, kept per prefix (a changed prefix gets a new set):
each series is registered on first attribute access, and is a plain attribute from then on, so a
hot path pays one dict lookup per prefix. `eager=True` registers a prefix's series together.
Scrape-time collectors that yield their own families name them with `name("backup_size_bytes")`.
"""
from __future__ import annotations

import threading
from typing import NamedTuple

from prometheus_client import REGISTRY, Counter, Gauge, Histogram

from ops.requestfacts import prefix as configured_prefix

_lock = threading.RLock()


def name(suffix: str, prefix: str | None = None) -> str:
    """`<prefix><suffix>`; the prefix is PROMETHEUS_PREFIX unless given."""
    return (configured_prefix() if prefix is None else prefix) + suffix


class Spec(NamedTuple):
    """One series, before a prefix names it: kind, unprefixed name, help text, labels, kind options."""
    kind: type
    name: str
    documentation: str
    labelnames: tuple = ()
    options: dict = {}


def counter(name: str, documentation: str, labelnames=()) -> Spec:
    return Spec(Counter, name, documentation, tuple(labelnames))


def gauge(name: str, documentation: str, labelnames=(), *, multiprocess_mode: str = "all") -> Spec:
    return Spec(Gauge, name, documentation, tuple(labelnames), {"multiprocess_mode": multiprocess_mode})


def histogram(name: str, documentation: str, labelnames=(), *, buckets=Histogram.DEFAULT_BUCKETS) -> Spec:
    return Spec(Histogram, name, documentation, tuple(labelnames), {"buckets": buckets})


def create(spec: Spec, prefix: str, registry=REGISTRY):
    """The `<prefix><spec.name>` series; when `registry` already has it (a module reloaded in
    tests, a second SeriesSet of the same name), that one. `registry=None`: unregistered."""
    full_name = name(spec.name, prefix)
    try:
        return spec.kind(full_name, spec.documentation, spec.labelnames, registry=registry, **spec.options)
    except ValueError:
        existing = registry._names_to_collectors.get(full_name) if registry is not None else None  # noqa: SLF001
        if existing is None:
            raise
        return existing


class PrefixedSeries:
    """The series of one SeriesSet under one prefix, as attributes (`.prefix` is the prefix);
    SeriesSet makes a subclass of its own: with one _Lazy attribute per series unless eager."""

    def __init__(self, prefix: str, registry):
        self.prefix = prefix
        self._registry = registry


class _Lazy:
    """A series attribute: created on first access, then kept in the instance (a plain lookup,
    as this descriptor defines no __set__; a class-level __getattr__ would slow every access)."""

    def __init__(self, attr: str, spec: Spec):
        self.attr, self.spec = attr, spec

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with _lock:
            if self.attr not in instance.__dict__:
                instance.__dict__[self.attr] = create(self.spec, instance.prefix, instance._registry)  # noqa: SLF001
            return instance.__dict__[self.attr]


class SeriesSet:
    """A module's series declarations: positional specs are reached by their name, keyword ones by the keyword."""

    def __init__(self, *specs: Spec, eager: bool = False, **named: Spec):
        self.specs = {spec.name: spec for spec in specs} | named
        self.eager = eager
        lazy = {} if eager else {attr: _Lazy(attr, spec) for attr, spec in self.specs.items()}
        self._class = type("PrefixedSeries", (PrefixedSeries,), lazy)
        self._by_prefix: dict[str, PrefixedSeries] = {}

    def current(self) -> PrefixedSeries:
        """The series of the configured PROMETHEUS_PREFIX."""
        return self.for_prefix(configured_prefix())

    def for_prefix(self, prefix: str) -> PrefixedSeries:
        """The process-wide series of `prefix`, registered on prometheus_client's default registry."""
        found = self._by_prefix.get(prefix)
        if found is None:
            with _lock:
                found = self._by_prefix.get(prefix)
                if found is None:
                    found = self._by_prefix[prefix] = self.build(prefix)
        return found

    def build(self, prefix: str, registry=REGISTRY) -> PrefixedSeries:
        """A new set, not kept (`registry=None`: unregistered, e.g. a multiprocess writer's own)."""
        built = self._class(prefix, registry)
        if self.eager:  # plain instance attributes from the start: the cheapest lookup on hot paths
            for attr, spec in self.specs.items():
                setattr(built, attr, create(spec, prefix, registry))
        return built
