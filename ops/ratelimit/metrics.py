"""Rate-limit counters (prometheus_client), named with PROMETHEUS_PREFIX, created on first use."""
import threading

from prometheus_client import REGISTRY, Counter

from . import conf

_DEFINITIONS = {
    "ratelimit_rejected_total": "Requests answered 429 by the rate limiter.",
    "ratelimit_fail_open_total": "Requests let through unchecked because the rate-limit store was unavailable.",
}
_counters: dict[tuple[str, str], Counter] = {}
_lock = threading.Lock()


def counter(name: str) -> Counter:
    prefix = conf.metric_prefix()
    key = (prefix, name)
    found = _counters.get(key)
    if found is None:
        with _lock:
            found = _counters.get(key)
            if found is None:
                try:
                    found = Counter(prefix + name, _DEFINITIONS[name], ["rule"])
                except ValueError:  # registered by an earlier instance of this module
                    found = REGISTRY._names_to_collectors[prefix + name.removesuffix("_total")]  # noqa: SLF001
                _counters[key] = found
    return found


def rejected(rule: str) -> None:
    counter("ratelimit_rejected_total").labels(rule=rule).inc()


def failed_open(rule: str) -> None:
    counter("ratelimit_fail_open_total").labels(rule=rule).inc()
