"""The broadcast circuit breaker against a real redis-server the test stops and restarts
(issue 19 item 12): after the first failure no broadcast touches Redis until its trial."""
import statistics
import time

import pytest
from redis.asyncio.connection import Connection
from redis.connection import Connection as BlockingConnection

from ops.realtime import broadcast
from ops.realtime.broadcast import BroadcastError, group_send_sync
from scripts.services import Redis, free_port


@pytest.fixture
def own_redis(tmp_path, settings):
    redis = Redis(tmp_path / "redis", free_port(), persistent=False)
    redis.start()
    settings.REALTIME_REDIS_URL = redis.url  # sequence numbers live here (the layer stays on REDIS_URL)
    yield redis
    redis.stop()
    broadcast._missed.clear()


@pytest.fixture
def dials(monkeypatch):
    """Every TCP connect the Redis clients make (each retry is one): the asyncio client of the event-loop
    path and the blocking one that sync callers on the pub/sub layer use."""
    made = []
    real, real_blocking = Connection._connect, BlockingConnection._connect

    async def counting(self):
        made.append(time.monotonic())
        return await real(self)

    def counting_blocking(self):
        made.append(time.monotonic())
        return real_blocking(self)

    monkeypatch.setattr(Connection, "_connect", counting)
    monkeypatch.setattr(BlockingConnection, "_connect", counting_blocking)
    return made


def send(group="test.breaker"):
    return group_send_sync(group, {"type": "note"})


def timed_failure() -> float:
    started = time.perf_counter()
    with pytest.raises(BroadcastError):
        send()
    return time.perf_counter() - started


def test_no_retry_while_open_then_a_half_open_trial_closes_it(own_redis, dials, settings, capsys):
    settings.REALTIME_BREAKER_SECONDS = 3600
    first = send()

    own_redis.stop()
    tripping = timed_failure()  # the one failure that pays the client's reconnect retries
    dialled = len(dials)
    while_open = [timed_failure() for _ in range(50)]
    assert len(dials) == dialled, "Redis was dialled (retried) while the breaker was open"
    guard = broadcast.breaker()
    assert guard.is_open and guard.trips == 1 and guard.refused == 50

    # Half-open: one trial against the still-dead Redis, which opens the breaker again.
    settings.REALTIME_BREAKER_SECONDS = 0
    attempts = guard.attempts
    with pytest.raises(BroadcastError):
        send()
    assert guard.attempts == attempts + 1 and guard.is_open and len(dials) > dialled

    own_redis.start()
    after = send()  # the next trial succeeds and closes the breaker
    assert not guard.is_open and after > first
    with capsys.disabled():
        print(f"\n[breaker] broadcast with Redis down: first failure {tripping * 1000:.0f} ms "
              f"(reconnect retries), while open median {statistics.median(while_open) * 1e6:.0f} µs "
              f"over {len(while_open)} writes, {len(dials) - dialled} dials during the trials")


def test_a_successful_read_by_a_joining_client_closes_the_breaker(own_redis, settings):
    settings.REALTIME_BREAKER_SECONDS = 3600
    send()
    own_redis.stop()
    with pytest.raises(BroadcastError):
        send()
    guard = broadcast.breaker()
    assert guard.is_open
    own_redis.start()
    assert broadcast.current_seq_sync("test.breaker") is None  # restarted empty; Redis answered
    assert not guard.is_open
    send()


def test_each_redis_host_has_its_own_breaker(own_redis, settings):
    settings.REALTIME_BREAKER_SECONDS = 3600
    own_redis.stop()
    with pytest.raises(BroadcastError):
        send()
    assert broadcast.breaker().is_open
    settings.REALTIME_REDIS_URL = ""  # the test Redis, alive
    assert not broadcast.breaker().is_open
    send()
