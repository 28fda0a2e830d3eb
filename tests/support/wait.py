"""Wait on a condition, never on the clock: the one polling helper of the suite."""
from __future__ import annotations

import time


def wait_until(predicate, what: str = "", *, timeout: float = 30.0, interval: float = 0.2, ignore=()):
    """Call `predicate` until it returns a truthy value, and return that value.

    `ignore`: exception types that mean "not yet" (e.g. a server still starting). After
    `timeout` seconds the test fails with AssertionError naming `what` (and the last ignored
    error). `timeout` bounds a wait for a condition; it is not a latency assertion.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except ignore as exc:
            last_error = exc
        if time.monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what or predicate}{detail}")
        time.sleep(interval)
