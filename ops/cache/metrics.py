"""Cache hit/miss/error counters (prometheus_client), named with PROMETHEUS_PREFIX.

Created on first use: the prefix is a setting, and importing this module must not
register anything (so the app installs in projects without metrics).
"""
import threading

from prometheus_client import REGISTRY, Counter

from . import conf

_counters: dict[tuple[str, str], Counter] = {}
_lock = threading.Lock()

_DEFINITIONS = {
    "cache_hits_total": "Cache lookups answered from Redis.",
    "cache_misses_total": "Cache lookups that had to compute the value.",
    "cache_errors_total": "Cache operations that failed because Redis was unavailable (bypassed).",
}


def counter(name: str) -> Counter:
    """The `<prefix><name>` counter labelled by cache namespace."""
    prefix = conf.metric_prefix()
    key = (prefix, name)
    found = _counters.get(key)
    if found is None:
        with _lock:
            found = _counters.get(key)
            if found is None:
                found = _register(prefix + name, _DEFINITIONS[name])
                _counters[key] = found
    return found


def _register(full_name: str, documentation: str) -> Counter:
    try:
        return Counter(full_name, documentation, ["cache"])
    except ValueError:
        # Already registered by another copy of this module (e.g. a reloaded settings prefix).
        return REGISTRY._names_to_collectors[full_name.removesuffix("_total")]  # noqa: SLF001


def hit(namespace: str) -> None:
    counter("cache_hits_total").labels(cache=namespace).inc()


def miss(namespace: str) -> None:
    counter("cache_misses_total").labels(cache=namespace).inc()


def error(namespace: str) -> None:
    counter("cache_errors_total").labels(cache=namespace).inc()
