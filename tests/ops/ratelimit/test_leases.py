"""Leased tokens across two live processes on one real Redis: the documented bound holds.

Bound (ops/ratelimit/backends/redis.py, docs/redis.md): within any period a key admits at most
`limit + P * (L - 1)` requests, P processes each holding a lease of L tokens; and every request
beyond a lease's first is decided without a Redis call.
"""
import json
import math
import os
import subprocess
import sys
import time
import uuid

import pytest
import redis

from tests.support.live import ROOT

LIMIT, PERIOD, LEASE = 1000, 3600, 20


class Worker:
    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.ops.ratelimit.lease_worker"], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def send(self, count: int) -> None:
        self.proc.stdin.write(f"hit {count}\n")
        self.proc.stdin.flush()

    def answer(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, "the worker died"
        return json.loads(line)

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def both(workers, count: int) -> list[dict]:
    """`hit count` in both processes at once; their answers."""
    for worker in workers:
        worker.send(count)
    return [worker.answer() for worker in workers]


def evalsha_calls(conn) -> int:
    return int(conn.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


@pytest.fixture
def workers():
    prefix = f"lease-{uuid.uuid4().hex}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.ops.ratelimit.settings", "STANDALONE_PREFIX": prefix,
           "STANDALONE_RULES": json.dumps({"reads": {"limit": LIMIT, "period": PERIOD}}),
           "STANDALONE_LEASE_MAX": str(LEASE), "STANDALONE_LEASE_SECONDS": "600"}
    started = [Worker(env), Worker(env)]
    yield started, prefix
    for worker in started:
        worker.stop()


def test_two_processes_never_admit_more_than_the_limit_plus_the_outstanding_leases(workers):
    pair, prefix = workers
    conn = redis.Redis.from_url(os.environ["REDIS_URL"])

    # Each process takes one lease (one request spent, L - 1 tokens held), then the window turns
    # over: the key's budget is full again while both leases are still outstanding.
    assert [a["admitted"] for a in both(pair, 1)] == [1, 1]
    keys = list(conn.scan_iter(f"*{prefix}*rl:reads:*"))
    assert len(keys) == 1
    conn.delete(*keys)
    outstanding = 2 * (LEASE - 1)

    # Under the budget: everything is admitted, and most requests never reach Redis.
    calls, started = evalsha_calls(conn), time.monotonic()
    first = both(pair, 450)
    assert [a["admitted"] for a in first] == [450, 450]
    assert evalsha_calls(conn) - calls <= math.ceil(900 / (LEASE - 1)) + 2
    # RateLimit-Remaining stays a count of this client's budget.
    assert all(0 <= r < LIMIT + LEASE for answer in first for r in answer["remaining"])

    # Past it: both processes ask for far more than is left.
    rest = both(pair, 400)
    elapsed = time.monotonic() - started
    admitted = 900 + sum(a["admitted"] for a in rest)
    refill = math.ceil(elapsed * LIMIT / PERIOD) + 1  # GCRA gives one token back every PERIOD / LIMIT s
    assert all(a["other"] == 0 for a in first + rest)
    assert LIMIT <= admitted <= LIMIT + outstanding + refill, (admitted, refill)
    assert sum(a["refused"] for a in rest) >= 800 - (outstanding + refill + LIMIT - 900)


def test_without_leases_the_same_run_is_exact(workers, monkeypatch):
    """The control: RATELIMIT_LEASE_MAX=1 is one Redis call per request and no error at all."""
    pair, prefix = workers
    for worker in pair:
        worker.stop()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.ops.ratelimit.settings", "STANDALONE_PREFIX": prefix + "x",
           "STANDALONE_RULES": json.dumps({"reads": {"limit": 200, "period": PERIOD}}), "STANDALONE_LEASE_MAX": "1"}
    exact = [Worker(env), Worker(env)]
    try:
        started = time.monotonic()
        answers = both(exact, 150)
        refill = math.ceil((time.monotonic() - started) * 200 / PERIOD) + 1
    finally:
        for worker in exact:
            worker.stop()
    assert 200 <= sum(a["admitted"] for a in answers) <= 200 + refill
