"""In-process backend: one process only (tests, development, a single-worker deployment)."""
from __future__ import annotations

import threading
import time

from .base import Decision, RateLimitBackend, gcra


class LocMemBackend(RateLimitBackend):
    def __init__(self):
        self._tats: dict[str, tuple[float, float]] = {}  # key -> (tat_ms, expires_ms)
        self._lock = threading.Lock()

    def hit(self, key: str, *, limit: int, period: float) -> Decision:
        now = time.time() * 1000
        with self._lock:
            stored = self._tats.get(key)
            tat = stored[0] if stored and stored[1] > now else None
            decision, new_tat = gcra(tat, now, limit, period * 1000)
            if new_tat is not None:
                self._tats[key] = (new_tat, new_tat)
            if len(self._tats) > 10_000:
                self._sweep(now)
        return decision

    def _sweep(self, now: float) -> None:
        # Expired keys hold no information (their TAT is in the past): drop them.
        for key in [k for k, (_, expires) in self._tats.items() if expires <= now]:
            del self._tats[key]

    def reset(self, key: str) -> None:
        with self._lock:
            self._tats.pop(key, None)
