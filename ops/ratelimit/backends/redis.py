"""Redis backend: GCRA in one Lua script, atomic, with tokens leased to the process in batches.

Works on a single server, a Sentinel master and a Redis Cluster (one key per call). The
script reads Redis' own clock (TIME), so web processes on hosts with skewed clocks share
one timeline. A failover loses at most the counters not yet replicated (brief leniency).

Leases: for a rule whose limit is large enough (see `conf.lease_size`), one script call takes
up to L tokens for this process and the next L - 1 requests of that key in this process are
decided locally, without a round trip. The error is bounded and one-sided per lease: every
admitted request spent a token Redis granted, so within any `period` a key admits at most
`limit + P * (L - 1)` requests, P being the processes holding a lease on it (tokens leased just
before the window and spent inside it). A lease lives RATELIMIT_LEASE_SECONDS; the unused tokens
of an expired lease are handed back in the same call that takes the next one. A lease of 1 is
the exact per-request check.

After any Redis failure this process sees (its own lease call, or the response cache's warning
on the `ops.cache` logger) it drops its leases and checks exactly, one call per request, for
SUSPECT_SECONDS: with Redis down that is failing open right away, as without leases.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from ops.cache.client import make_key, redis_client
from ops.cache.errors import REDIS_ERRORS

from .. import conf
from .base import Decision, RateLimitBackend

# KEYS[1] = bucket; ARGV = limit, period_ms, want, refund (tokens handed back first).
# Returns {granted, remaining, reset_ms, retry_after_ms}; granted = 0 is a refusal.
GCRA_LUA = """
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local refund = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = period / limit
local stored = tonumber(redis.call('GET', KEYS[1]))
local tat = stored or now
if refund > 0 then tat = tat - refund * interval end
if tat < now then tat = now end
-- The epsilon absorbs float error in (period - interval) / interval for limits that do not divide.
local available = math.floor((now + period - tat) / interval + 0.000001)
if available < 1 then
  if refund > 0 and stored then
    redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.max(1, math.ceil(tat - now)))
  end
  return {0, 0, math.ceil(tat - now), math.ceil(tat + interval - period - now)}
end
local granted = math.min(want, available)
local new_tat = tat + granted * interval
-- max(1, ...): with a huge limit the interval can vanish below float resolution at epoch-ms scale.
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
-- From the integer count, not from new_tat: at epoch-ms scale a tiny interval loses precision.
return {granted, available - granted, math.ceil(new_tat - now), 0}
"""


SUSPECT_SECONDS = 5.0
_suspect_until = 0.0  # per process: time.monotonic() until which no lease is spent or taken


def redis_failed() -> None:
    """Redis failed in this process: no leases for SUSPECT_SECONDS (each request asks Redis, fails open)."""
    global _suspect_until
    _suspect_until = time.monotonic() + SUSPECT_SECONDS


class CacheOutageHandler(logging.Handler):
    """On the `ops.cache` logger: its warnings say Redis is unavailable, so stop trusting leases."""

    def __init__(self):
        super().__init__(level=logging.WARNING)

    def emit(self, record) -> None:
        redis_failed()


@dataclass(slots=True)
class Lease:
    tokens: int  # tokens this process may still spend without asking Redis
    expires: float  # time.monotonic() after which the tokens go back at the next grant
    remaining: int  # Redis' remaining budget when the lease was granted
    reset_at: float  # time.monotonic() at which the key's budget is full again (as of the grant)
    limit: int

    def spend(self, now: float) -> Decision:
        self.tokens -= 1
        return Decision(True, self.limit, self.remaining + self.tokens, max(0.0, self.reset_at - now), 0.0)


STORED_KEYS_MAX = 10_000


class RedisBackend(RateLimitBackend):
    """Built once per process by ops.ratelimit.rules.backend() and again when a setting it reads
    changes (the cache alias, CACHES, the lease settings), so what it derives from them is kept."""

    def __init__(self, alias: str | None = None):
        self.alias = alias
        self._script = None
        self._lock = threading.Lock()
        self._leases: dict[str, Lease] = {}
        self._stored: dict[str, tuple[str, str]] = {}  # bucket key → (alias, key as the cache stores it)
        self._sizes: dict[int, int] = {}  # limit → lease size

    def _alias(self) -> str:
        return self.alias or conf.cache_alias()

    def _stored_key(self, key: str) -> tuple[str, str]:
        found = self._stored.get(key)
        if found is None:
            if len(self._stored) >= STORED_KEYS_MAX:
                self._stored.clear()
            alias = self._alias()
            found = self._stored[key] = (alias, make_key(alias, key))
        return found

    def _lease_size(self, limit: int) -> int:
        size = self._sizes.get(limit)
        if size is None:
            size = self._sizes[limit] = conf.lease_size(limit)
        return size

    def _gcra(self, client):
        # One Script object (it only holds the SHA); each call names the client to run on.
        if self._script is None:
            with self._lock:
                if self._script is None:
                    self._script = client.register_script(GCRA_LUA)
        return self._script

    def hit(self, key: str, *, limit: int, period: float) -> Decision:
        alias, stored_key = self._stored_key(key)
        size = self._lease_size(limit)
        now = time.monotonic()
        if size > 1 and now < _suspect_until:
            with self._lock:
                self._leases.clear()  # their tokens are lost, not refunded: Redis may not be there
            size = 1
        if size <= 1:
            return self._take(alias, stored_key, limit, period, 1, 0)[0]
        with self._lock:
            lease = self._leases.get(stored_key)
            if lease is not None and lease.tokens > 0 and lease.expires > now:
                return lease.spend(now)
            refund = self._leases.pop(stored_key).tokens if lease is not None else 0
        try:
            decision, granted = self._take(alias, stored_key, limit, period, size, refund)
        except BaseException:
            if refund:  # not handed back: keep them (they expire again and go back next time)
                with self._lock:
                    self._leases.setdefault(stored_key, lease)
            raise
        if granted > 1:
            self._keep(stored_key, Lease(granted - 1, now + conf.lease_seconds(), decision.remaining - granted + 1,
                                         now + decision.reset, limit))
        return decision

    def _take(self, alias: str, stored_key: str, limit: int, period: float, want: int,
              refund: int) -> tuple[Decision, int]:
        """One script call: (the decision for this request, tokens granted including its own)."""
        try:
            client = redis_client(alias)
            granted, remaining, reset_ms, retry_ms = self._gcra(client)(
                keys=[stored_key], args=[limit, int(period * 1000), want, refund], client=client)
        except REDIS_ERRORS:
            redis_failed()
            raise
        granted = int(granted)
        # The tokens this process now holds are part of what the client may still spend.
        return Decision(granted > 0, limit, int(remaining) + max(0, granted - 1), reset_ms / 1000,
                        retry_ms / 1000), granted

    def _keep(self, stored_key: str, lease: Lease) -> None:
        with self._lock:
            held = self._leases.get(stored_key)
            if held is not None and held.expires > time.monotonic():
                held.tokens += lease.tokens  # two threads leased at once: nothing is lost
                return
            self._leases[stored_key] = lease
            if len(self._leases) > 10_000:
                self._sweep()

    def _sweep(self) -> None:
        # Expired leases are dropped without a refund: their tokens come back as the bucket drains.
        now = time.monotonic()
        for key in [k for k, lease in self._leases.items() if lease.expires <= now]:
            del self._leases[key]

    def reset(self, key: str) -> None:
        alias, stored_key = self._stored_key(key)
        with self._lock:
            self._leases.pop(stored_key, None)
        redis_client(alias).delete(stored_key)
