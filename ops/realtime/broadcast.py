"""Sequenced broadcasts: every event sent with group_send carries `seq`, the next number
of its group's counter in Redis, so a subscriber can tell it missed something.

Counters start at the current time in milliseconds (SET NX) and grow by one per event. A
counter lost with Redis' data restarts from a later time, so numbers never repeat and a
client rule "seq != last + 1 → refetch" catches resets as well as lost messages. Events
this process could not number (Redis down) are remembered and skipped over in the next
number it takes for that group, so persistent Redis shows those gaps too.

Sync callers (views, services, Celery) on channels-redis' pub/sub layer with one host do not go
through asyncio: two blocking round trips — the numbering script, then one pipeline of PUBLISH
commands, one per group, in the layer's own channel names and serialization — cost a write a
fraction of the CPU the event-loop thread did (docs/benchmarks.md, "Figures behind code choices").
Other layers (the sorted-set RedisChannelLayer, sharded hosts) take the asyncio path below.

A dead Redis costs a write microseconds, not the client's reconnect-and-retry time: a circuit
breaker per Redis host opens at the first failed broadcast; while open, broadcasts fail at once
without touching Redis (their numbers are skipped like any lost event). After
REALTIME_BREAKER_SECONDS one caller tries again (half-open); success, or any successful Redis
call of this process to that host (a WebSocket joining reads current_seq), closes it.
"""
from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterable

from channels.layers import get_channel_layer
from redis.exceptions import RedisError

from . import conf, store

NEXT_SEQ = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000)))
end
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n
"""


class BroadcastError(Exception):
    """An event could not be numbered or published (Redis unreachable or too slow)."""


_missed: dict[str, int] = {}
_missed_lock = threading.Lock()


class Breaker:
    """Closed → (a failure) → open: callers refused at once → after REALTIME_BREAKER_SECONDS one
    trial (half-open; the others still refused) → closed on success, open again on failure.

    By hand rather than pybreaker: its call() holds the breaker's lock for the whole call, so
    every other writer of the process would wait behind a trial against a hung Redis.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.opened_at: float | None = None  # None: closed
        self.trying = False
        self.attempts = self.refused = self.trips = 0  # counts, for tests and the curious

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def admit(self) -> bool:
        """May this call touch Redis? Counts the answer."""
        with self.lock:
            if self.opened_at is None or (
                    not self.trying and time.monotonic() - self.opened_at >= conf.breaker_seconds()):
                self.trying = self.opened_at is not None
                self.attempts += 1
                return True
            self.refused += 1
            return False

    def succeeded(self) -> None:
        with self.lock:
            self.opened_at, self.trying = None, False

    def failed(self) -> None:
        with self.lock:
            if self.opened_at is None or self.trying:
                self.trips += self.opened_at is None
                self.opened_at = time.monotonic()
            self.trying = False


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker() -> Breaker:
    """The breaker of the Redis host broadcasts currently go to."""
    name = repr(sorted(store.host_config().items()))
    with _breakers_lock:
        return _breakers.setdefault(name, Breaker())


def _skip_number(group: str) -> None:
    with _missed_lock:
        _missed[group] = _missed.get(group, 0) + 1


PUBSUB_LAYER = "channels_redis.pubsub.RedisPubSubChannelLayer"


def direct_prefix() -> str | None:
    """The pub/sub layer's channel prefix when sync callers may PUBLISH themselves, else None.

    channels-redis' RedisPubSubLoopLayer.group_send is one PUBLISH of `layer.serialize(message)`
    to "<prefix>__group__<group>" on the group's shard; with one host every group is on it.
    tests/ops/realtime/test_broadcast.py fails if an upgrade of channels-redis changes that.
    """
    layer = store.layer_config()
    hosts = layer.get("CONFIG", {}).get("hosts") or []
    if layer.get("BACKEND") != PUBSUB_LAYER or len(hosts) != 1:
        return None
    return layer["CONFIG"].get("prefix", "asgi")


def seq_key(group: str) -> str:
    return store.key("seq", group)


async def next_seq(group: str) -> int:
    """Take the next sequence number of `group` (skipping numbers of events lost here)."""
    with _missed_lock:
        skipped = _missed.pop(group, 0)
    try:
        call = store.client().eval(NEXT_SEQ, 1, seq_key(group), 1 + skipped, conf.seq_ttl())
        return int(await store.bounded(call))
    except Exception as exc:
        with _missed_lock:
            _missed[group] = _missed.get(group, 0) + skipped + 1
        raise BroadcastError(f"could not number an event for {group}: {exc!r}") from exc


async def current_seq(group: str) -> int | None:
    """The last number given to `group`, None when it has none (never used, or Redis lost it)."""
    value = await store.bounded(store.client().get(seq_key(group)))
    breaker().succeeded()  # Redis answers again: broadcasts need not wait for their trial
    return int(value) if value is not None else None


async def group_send(group: str, event: dict, *, also: Iterable[str] = ()) -> int:
    """Stamp `event` with the next seq of `group`, send it to `group` and the groups in `also`.
    BroadcastError at once, Redis untouched, while the breaker is open."""
    guard = breaker()
    if not guard.admit():
        _skip_number(group)
        raise BroadcastError(f"Redis unavailable, not tried (circuit open): event for {group} lost")
    try:
        seq = await next_seq(group)
        await publish((group, *also), {**event, "seq": seq})
    except BaseException:  # also a cancellation by group_send_sync's outer timeout
        guard.failed()
        raise
    guard.succeeded()
    return seq


async def publish(groups: Iterable[str], message: dict) -> None:
    """Send `message` as is (no seq) to every group; BroadcastError when the layer fails."""
    layer = get_channel_layer(conf.layer_alias())
    groups = tuple(groups)
    for attempt in (1, 2):  # the layer's connection may be stale after a Redis restart: retry once
        try:
            await store.bounded(asyncio.gather(*(layer.group_send(g, message) for g in groups)))
            return
        except Exception as exc:
            if attempt == 2:
                raise BroadcastError(f"could not publish to {', '.join(groups)}: {exc!r}") from exc


class _LoopThread:
    """One event loop in a daemon thread per process: sync callers reuse its Redis connections
    instead of opening a loop and connections per call (what async_to_sync would do)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="realtime-publisher", daemon=True).start()

    def run(self, coro, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            future.cancel()
            raise BroadcastError(f"Redis did not answer within {timeout}s") from exc


_threads: dict[int, _LoopThread] = {}
_threads_lock = threading.Lock()


def _publisher() -> _LoopThread:
    pid = os.getpid()  # a forked worker must not reuse its parent's (dead) thread
    with _threads_lock:
        if pid not in _threads:
            _threads[pid] = _LoopThread()
        return _threads[pid]


def group_send_sync(group: str, event: dict, *, also: Iterable[str] = ()) -> int:
    """group_send() for sync code (views, services, Celery): returns the seq; raises
    BroadcastError when Redis fails or takes longer than REALTIME_SEND_TIMEOUT."""
    prefix = direct_prefix()
    if prefix is None:
        # Each Redis step is bounded by REALTIME_SEND_TIMEOUT; this outer bound is a safety net.
        return _publisher().run(group_send(group, event, also=tuple(also)), conf.send_timeout() * 3)
    guard = breaker()
    if not guard.admit():
        _skip_number(group)
        raise BroadcastError(f"Redis unavailable, not tried (circuit open): event for {group} lost")
    try:
        seq = _next_seq_blocking(group)
        _publish_blocking(prefix, (group, *also), {**event, "seq": seq})
    except BaseException:
        guard.failed()
        raise
    guard.succeeded()
    return seq


def publish_sync(groups: Iterable[str], message: dict) -> None:
    """publish() for sync code: `message` as is (no seq); BroadcastError as group_send_sync."""
    prefix = direct_prefix()
    if prefix is None:
        _publisher().run(publish(tuple(groups), message), conf.send_timeout() * 3)
    else:
        _publish_blocking(prefix, tuple(groups), message)


def current_seq_sync(group: str) -> int | None:
    if direct_prefix() is None:
        return _publisher().run(current_seq(group), conf.send_timeout() * 2)
    try:
        value = store.sync_client().get(seq_key(group))
    except RedisError as exc:
        raise BroadcastError(f"could not read the seq of {group}: {exc!r}") from exc
    breaker().succeeded()
    return int(value) if value is not None else None


def _next_seq_blocking(group: str) -> int:
    """next_seq() with the blocking client: one EVAL."""
    with _missed_lock:
        skipped = _missed.pop(group, 0)
    try:
        return int(store.sync_client().eval(NEXT_SEQ, 1, seq_key(group), 1 + skipped, conf.seq_ttl()))
    except Exception as exc:
        with _missed_lock:
            _missed[group] = _missed.get(group, 0) + skipped + 1
        raise BroadcastError(f"could not number an event for {group}: {exc!r}") from exc


def _publish_blocking(prefix: str, groups: tuple[str, ...], message: dict) -> None:
    """The layer's group_send for every group in one pipeline (one round trip)."""
    payload = get_channel_layer(conf.layer_alias()).serialize(message)
    client = store.sync_client(store.layer_hosts()[0])
    try:
        pipe = client.pipeline(transaction=False)
        for group in groups:
            pipe.publish(f"{prefix}__group__{group}", payload)
        pipe.execute()
    except Exception as exc:
        raise BroadcastError(f"could not publish to {', '.join(groups)}: {exc!r}") from exc
