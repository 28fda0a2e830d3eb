"""The rate-limit backend contract: GCRA (a leaky bucket without timers), one key at a time.

A key allows `limit` requests in a burst, then one more every `period / limit` seconds, so
never more than `limit` in any `period`. A backend keeps one "theoretical arrival time"
(TAT) per key; checking and counting a request is a single atomic step.
"""
from __future__ import annotations

import math
from typing import NamedTuple


class Decision(NamedTuple):  # a tuple: built on every limited request, cheaper than a frozen dataclass
    allowed: bool
    limit: int
    remaining: int  # requests still allowed right now
    reset: float  # seconds until the key's full budget is back
    retry_after: float  # seconds until the next request is allowed (0 when allowed)

    @property
    def reset_seconds(self) -> int:
        return max(0, math.ceil(self.reset))

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


class RateLimitBackend:
    """Count one request against `key`; raise on storage failure (the caller fails open)."""

    def hit(self, key: str, *, limit: int, period: float) -> Decision:
        raise NotImplementedError

    def reset(self, key: str) -> None:
        """Forget `key` (tests, support)."""
        raise NotImplementedError


def gcra(stored_tat_ms: float | None, now_ms: float, limit: int, period_ms: float) -> tuple[Decision, float | None]:
    """The GCRA step shared by backends: (decision, new TAT to store or None when denied).

    The Redis backend runs the same arithmetic in Lua (backends/redis.py).
    """
    interval = period_ms / limit
    tat = max(stored_tat_ms or now_ms, now_ms)
    new_tat = tat + interval
    allow_at = new_tat - period_ms
    if now_ms < allow_at:
        return Decision(False, limit, 0, (tat - now_ms) / 1000, (allow_at - now_ms) / 1000), None
    # The epsilon absorbs float error in (period - interval) / interval for limits that do not divide.
    remaining = int((period_ms - (new_tat - now_ms)) / interval + 1e-6)
    return Decision(True, limit, remaining, (new_tat - now_ms) / 1000, 0.0), new_tat
