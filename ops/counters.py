"""Counters named `<PROMETHEUS_PREFIX><name>`, registered with prometheus_client on first use.

For ops apps that count things without depending on ops.metrics: importing a module that
declares a LazyCounters registers nothing, and the prefix is read when a counter is first used.
"""
import threading

from prometheus_client import REGISTRY, Counter

from ops.requestfacts import prefix as configured_prefix


class LazyCounters:
    """`counters.get(name)` → the `<prefix><name>` Counter with `labelnames`, created once."""

    def __init__(self, definitions: dict[str, str], labelnames: list[str]):
        self.definitions = definitions
        self.labelnames = labelnames
        self._counters: dict[tuple[str, str], Counter] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Counter:
        prefix = configured_prefix()
        key = (prefix, name)
        found = self._counters.get(key)
        if found is None:
            with self._lock:
                found = self._counters.get(key)
                if found is None:
                    found = self._counters[key] = self._register(prefix + name, self.definitions[name])
        return found

    def _register(self, full_name: str, documentation: str) -> Counter:
        try:
            return Counter(full_name, documentation, self.labelnames)
        except ValueError:  # registered by an earlier instance (e.g. a module reloaded in tests)
            return REGISTRY._names_to_collectors[full_name.removesuffix("_total")]  # noqa: SLF001
