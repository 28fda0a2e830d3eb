"""Realtime: PATCH-to-WebSocket latency across processes with 500 clients, and broadcast throughput.

Latency: uvicorn ASGI (1 process) holds CLIENTS WebSocket connections on one public page;
granian WSGI (2 workers, the production HTTP path) takes the PATCHes. Each round sends one
PATCH and times, for every client, PATCH sent → page.updated received (seq matched); p50 and
p95 over all receipts. Baseline, interleaved round by round: a raw Redis PUBLISH received by
CLIENTS redis-py SUBSCRIBE connections in the same client process (the transport floor).
The client process is one asyncio loop, so part of the tail is client-side reading.

Throughput: MESSAGES events sent as fast as one sender can, received by a separate process;
messages/s = count / (last receipt - first send). Rows: the channel layer alone
(group_send → layer receive) and Papyrus' sequenced broadcast (group_send_sync: INCR + publish,
as every page write does), each against raw redis-py PUBLISH → SUBSCRIBE, interleaved rounds,
medians.
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

import redis
from redis import asyncio as aioredis

from tests.papyrus.wiki.realtime_client import call, create_page, open_ws, register
from tests.support.live import ROOT, LiveServer, base_env, manage

CLIENTS = 500
LATENCY_ROUNDS = 20
THROUGHPUT_ROUNDS = 3
MESSAGES = 5_000
ENV = {"RATE_LIMIT_ENABLED": "false"}
PAYLOAD = {"type": "page.updated", "page": {"id": 1, "title": "Bench page", "slug": "bench-page",
                                            "folder": "docs", "tags": ["bench"], "teamId": None}}

# A receiver process: subscribe, say READY, count MESSAGES messages, print first/last receipt times.
RECEIVER = """
import asyncio, sys, time
mode, url, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
async def raw():
    from redis import asyncio as aioredis
    pubsub = aioredis.Redis.from_url(url).pubsub()
    await pubsub.subscribe(group)
    print("READY", flush=True)
    got, first = 0, None
    async for m in pubsub.listen():
        if m["type"] == "message":
            got += 1; first = first or time.monotonic()
            if got == n: return first, time.monotonic()
async def layer():
    from channels_redis.pubsub import RedisPubSubChannelLayer
    layer = RedisPubSubChannelLayer(hosts=[url])
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    print("READY", flush=True)
    first = None
    for i in range(n):
        await layer.receive(channel)
        first = first or time.monotonic()
    return first, time.monotonic()
first, last = asyncio.run(raw() if mode == "raw" else layer())
print("DONE", first, last, flush=True)
"""

SEND_SYNC = """
import time
from ops.realtime.broadcast import group_send_sync
start = time.monotonic()
for i in range({n}):
    group_send_sync("bench.broadcast", {{"type": "page.updated", "page": {page!r}}})
print("START", start)
"""


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def row(name: str, figure: float, unit: str, baseline: float, baseline_name: str) -> dict:
    return {"name": name, "figure": round(figure, 3), "unit": unit, "baseline": round(baseline, 3),
            "baseline_name": baseline_name, "ratio": round(figure / baseline, 3) if baseline else 0.0}


# --- latency ------------------------------------------------------------------------------------

async def _reader(ws, inbox: dict[int, list[float]]):
    async for raw in ws:
        message = json.loads(raw)
        if message.get("type") == "page.updated":
            inbox.setdefault(message["seq"], []).append(time.perf_counter())


async def _raw_reader(pubsub, inbox: dict[int, list[float]]):
    async for message in pubsub.listen():
        if message["type"] == "message":
            inbox.setdefault(int(message["data"]), []).append(time.perf_counter())


async def _wait_all(inbox: dict, key: int, timeout: float = 15.0) -> list[float]:
    deadline = time.monotonic() + timeout
    while len(inbox.get(key, ())) < CLIENTS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(inbox.get(key, ()))}/{CLIENTS} clients received event {key}")
        await asyncio.sleep(0.002)
    return inbox.pop(key)


async def _latency(ws_url: str, http_url: str, token: str, page_id: int) -> tuple[list[float], list[float]]:
    inbox: dict[int, list[float]] = {}
    raw_inbox: dict[int, list[float]] = {}
    sockets = []
    for start in range(0, CLIENTS, 50):  # connect in batches: a burst of 500 handshakes is not the point
        batch = range(start, min(CLIENTS, start + 50))
        sockets += await asyncio.gather(*(open_ws(ws_url, f"/ws/pages/{page_id}/", token, max_queue=None)
                                          for _ in batch))
    for ws in sockets:
        json.loads(await ws.recv())  # presence.list
    readers = [asyncio.ensure_future(_reader(ws, inbox)) for ws in sockets]
    raw = aioredis.Redis.from_url(os.environ["REDIS_URL"], max_connections=CLIENTS + 10)
    pubsubs = [raw.pubsub() for _ in range(CLIENTS)]
    for p in pubsubs:
        await p.subscribe("bench.raw.latency")
    raw_readers = [asyncio.ensure_future(_raw_reader(p, raw_inbox)) for p in pubsubs]
    papyrus, baseline = [], []
    try:
        for n in range(LATENCY_ROUNDS + 2):  # two warm-up rounds
            t0 = time.perf_counter()
            status, body, _ = await asyncio.to_thread(call, http_url, "PATCH", f"/api/pages/{page_id}",
                                                      {"content": f"round {n}"}, token)
            if status != 200:
                raise RuntimeError(f"PATCH answered {status}: {body}")
            seq = min(await _wait_for_any(inbox))
            times = await _wait_all(inbox, seq)
            t1 = time.perf_counter()
            await raw.publish("bench.raw.latency", n)
            raw_times = await _wait_all(raw_inbox, n)
            if n >= 2:
                papyrus += [t - t0 for t in times]
                baseline += [t - t1 for t in raw_times]
            await asyncio.sleep(0.05)
    finally:
        for task in readers + raw_readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        await raw.aclose()
    return papyrus, baseline


async def _wait_for_any(inbox: dict, timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while not inbox:
        if time.monotonic() > deadline:
            raise RuntimeError("no client received the page.updated")
        await asyncio.sleep(0.001)
    return list(inbox)


# --- throughput ---------------------------------------------------------------------------------

def _receiver(mode: str, group: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", RECEIVER, mode, os.environ["REDIS_URL"], group, str(MESSAGES)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "READY":
        raise RuntimeError("receiver did not start")
    return proc


def _finish(proc: subprocess.Popen, start: float) -> float:
    out, _ = proc.communicate(timeout=120)
    if proc.returncode != 0 or "DONE" not in out:
        raise RuntimeError(f"receiver failed: {out}")
    last = float(out.split("DONE", 1)[1].split()[1])
    return MESSAGES / (last - start)


def _raw_rate() -> float:
    proc = _receiver("raw", "bench.raw")
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    data = json.dumps({**PAYLOAD, "seq": 1})
    start = time.monotonic()
    for _ in range(MESSAGES):
        r.publish("bench.raw", data)
    return _finish(proc, start)


def _layer_rate() -> float:
    from channels_redis.pubsub import RedisPubSubChannelLayer

    proc = _receiver("layer", "bench.layer")
    layer = RedisPubSubChannelLayer(hosts=[os.environ["REDIS_URL"]])

    async def send() -> float:
        start = time.monotonic()
        for n in range(MESSAGES):
            await layer.group_send("bench.layer", {**PAYLOAD, "seq": n})
        await layer.flush()
        return start

    return _finish(proc, asyncio.run(send()))


def _broadcast_rate() -> float:
    proc = _receiver("layer", "bench.broadcast")
    out = manage("shell", "-c", SEND_SYNC.format(n=MESSAGES, page=PAYLOAD["page"]), env=base_env())
    start = float(out.stdout.split("START", 1)[1].split()[0])
    return _finish(proc, start)


def run() -> list[dict]:
    manage("migrate", "--noinput", "-v0")
    ws_server = LiveServer(workers=1, interface="asgi", env=ENV).start()
    http_server = LiveServer(workers=2, interface="wsgi", env=ENV).start()
    try:
        _, token = register(http_server.url, "Bench")
        page = create_page(http_server.url, token, "Realtime bench page")
        papyrus, baseline = asyncio.run(_latency(ws_server.url, http_server.url, token, page["id"]))
    finally:
        ws_server.stop()
        http_server.stop()
    raw, layer, sequenced = [], [], []
    for _ in range(THROUGHPUT_ROUNDS):
        raw.append(_raw_rate())
        layer.append(_layer_rate())
        sequenced.append(_broadcast_rate())
    raw_name = "raw redis-py PUBLISH→SUBSCRIBE (same run)"
    floor = f"raw Redis PUBLISH→{CLIENTS} SUBSCRIBE connections (same run)"
    ms = 1000
    return [
        row(f"PATCH (granian) → page.updated on {CLIENTS} WebSockets (uvicorn) p50", percentile(papyrus, 50) * ms,
            "ms", percentile(baseline, 50) * ms, floor + " p50"),
        row(f"PATCH (granian) → page.updated on {CLIENTS} WebSockets (uvicorn) p95", percentile(papyrus, 95) * ms,
            "ms", percentile(baseline, 95) * ms, floor + " p95"),
        row("channel layer group_send → receive", statistics.median(layer), "msg/s", statistics.median(raw), raw_name),
        row("sequenced broadcast group_send_sync (INCR + publish)", statistics.median(sequenced), "msg/s",
            statistics.median(raw), raw_name),
    ]
