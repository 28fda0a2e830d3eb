"""Cache hit/miss hook: `record_get(hit=..., cache="pages")` → <p>cache_hits_total / <p>cache_misses_total.

The cache app (ops.cache) owns the same two counters (label `cache`); whichever side
creates them first, the other reuses them, so both can count into one series.
"""
import threading

from prometheus_client import REGISTRY, Counter

from . import conf

_DOCS = {"cache_hits": "Cache lookups answered from the cache.",
         "cache_misses": "Cache lookups that found nothing."}
_counters: dict[str, Counter] = {}
_lock = threading.Lock()


def record_get(*, hit: bool, cache: str = "default") -> None:
    """Count one cache read as a hit or a miss (no-op when ENABLE_PROMETHEUS is false)."""
    if conf.enabled():
        _counter(conf.prefix(), "cache_hits" if hit else "cache_misses").labels(cache).inc()


def _counter(prefix: str, kind: str) -> Counter:
    name = prefix + kind
    found = _counters.get(name)
    if found is None:
        with _lock:
            found = _counters.get(name)
            if found is None:
                try:
                    found = Counter(name, _DOCS[kind], ["cache"])
                except ValueError:  # already registered by ops.cache: share it
                    found = REGISTRY._names_to_collectors[name]  # noqa: SLF001
                _counters[name] = found
    return found
