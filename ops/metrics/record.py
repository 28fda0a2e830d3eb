"""One request's HTTP series written in one call: the values prometheus_client would write, fewer layers.

In multiprocess mode each `Counter.inc`/`Histogram.observe` takes prometheus_client's process lock,
checks the pid and packs one value into the process's mmap file; a request changes eight values
(the requests counter, a sum and a bucket per histogram, the in-flight gauge going back down), and
the call layers around each write cost more than the write (bench.metrics: "HTTP series per request").
`HttpSeries.record` checks the pid once and writes them all under that same lock.

It leans on prometheus_client internals, pinned in requirements.txt: a multiprocess value's `_value`,
`_file` and `_key`, the lock its `inc` closes over, and a histogram child's `_sum`, `_buckets` and
`_upper_bounds`. tests/ops/metrics/test_record.py writes the same requests through both paths and
compares what a scrape reads, and fails when the lean path is not in use; at run time anything
unexpected falls back to the children's own methods. Without multiprocess mode they are always used.
"""
from __future__ import annotations

import inspect
from bisect import bisect_left


def multiprocess_lock(value):
    """The lock prometheus_client's multiprocess values share, or None for any other value class."""
    if not getattr(value, "_multiprocess", False):
        return None
    try:
        lock = inspect.getclosurevars(type(value).inc).nonlocals.get("lock")
    except TypeError:
        return None
    return lock if hasattr(lock, "acquire") and hasattr(value, "_file") and hasattr(value, "_key") else None


class HttpSeries:
    """The requests counter and three histograms of one (method, route, status), and the in-flight gauge."""

    def __init__(self, requests, duration, request_size, response_size, active):
        self.requests, self.duration, self.request_size, self.response_size = requests, duration, request_size, response_size
        self.active = active
        self.lock = self._lean_lock()

    def _lean_lock(self):
        values = [self.requests._value, self.active._value]  # noqa: SLF001
        for histogram in (self.duration, self.request_size, self.response_size):
            if not all(hasattr(histogram, name) for name in ("_sum", "_buckets", "_upper_bounds")):
                return None
            values += [histogram._sum, *histogram._buckets]  # noqa: SLF001
        locks = {id(lock): lock for lock in map(multiprocess_lock, values)}
        return next(iter(locks.values())) if len(locks) == 1 else None  # None: not all multiprocess

    def record(self, seconds: float, request_bytes: int, response_bytes: int) -> None:
        """A finished request: requests + 1, the three observations, then in-flight gauge - 1 (last:
        a caller that sees this raise takes the request off the gauge itself)."""
        if self.lock is None:
            self.requests.inc()
            self.duration.observe(seconds)
            self.request_size.observe(request_bytes)
            self.response_size.observe(response_bytes)
            self.active.dec()
            return
        self.active._value.get()  # noqa: SLF001 -- prometheus_client's check for a fork (reopens the files)
        with self.lock:
            _add(self.requests._value, 1.0)  # noqa: SLF001
            _observe(self.duration, seconds)
            _observe(self.request_size, request_bytes)
            _observe(self.response_size, response_bytes)
            _add(self.active._value, -1.0)  # noqa: SLF001


def _add(value, amount: float) -> None:
    """What the value's `inc` does once its lock is held and its pid checked."""
    value._value = total = value._value + amount  # noqa: SLF001
    value._timestamp = 0.0  # noqa: SLF001
    value._file.write_value(value._key, total, 0.0)  # noqa: SLF001


def _observe(histogram, amount: float) -> None:
    """What `Histogram.observe` writes: the sum (unchanged by a 0) and the first bucket whose bound holds it."""
    if amount:
        _add(histogram._sum, amount)  # noqa: SLF001
    _add(histogram._buckets[bisect_left(histogram._upper_bounds, amount)], 1.0)  # noqa: SLF001
