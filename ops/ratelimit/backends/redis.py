"""Redis backend: GCRA in one Lua script, so a check is atomic and one round trip.

Works on a single server, a Sentinel master and a Redis Cluster (one key per call). The
script reads Redis' own clock (TIME), so web processes on hosts with skewed clocks share
one timeline. A failover loses at most the counters not yet replicated (brief leniency).
"""
from __future__ import annotations

import threading

from ops.cache.client import make_key, redis_client

from .. import conf
from .base import Decision, RateLimitBackend

# KEYS[1] = bucket; ARGV = limit, period_ms. Returns {allowed, remaining, reset_ms, retry_after_ms}.
GCRA_LUA = """
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
-- max(1, ...): with a huge limit the interval can vanish below float resolution at epoch-ms scale.
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
local remaining = math.floor((period - (new_tat - now)) / interval + 0.000001)
return {1, remaining, math.ceil(new_tat - now), 0}
"""


class RedisBackend(RateLimitBackend):
    def __init__(self, alias: str | None = None):
        self.alias = alias
        self._script = None
        self._lock = threading.Lock()

    def _alias(self) -> str:
        return self.alias or conf.cache_alias()

    def _gcra(self, client):
        # One Script object (it only holds the SHA); each call names the client to run on.
        if self._script is None:
            with self._lock:
                if self._script is None:
                    self._script = client.register_script(GCRA_LUA)
        return self._script

    def hit(self, key: str, *, limit: int, period: float) -> Decision:
        client = redis_client(self._alias())
        allowed, remaining, reset_ms, retry_ms = self._gcra(client)(
            keys=[make_key(self._alias(), key)], args=[limit, int(period * 1000)], client=client)
        return Decision(bool(allowed), limit, int(remaining), reset_ms / 1000, retry_ms / 1000)

    def reset(self, key: str) -> None:
        redis_client(self._alias()).delete(make_key(self._alias(), key))
