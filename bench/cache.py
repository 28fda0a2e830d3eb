"""Response cache and rate limiter: what they buy and what they cost.

Setup as bench/serving.py (1,000 public ~2 KB pages, granian WSGI, 2 workers, settings.prod),
three servers side by side on the same Redis: response caching off, on, and on with rate
limiting (one rule with a limit too high to refuse anything, so every request pays a full
check). `wrk -t2 -c64 -d10s`, 3 interleaved rounds after a warm-up, medians:

- page list and search, cached vs uncached (ratio > 1 is the gain); the search is a selective
  one (a page number: one hit) — a broad one ("redis cluster", ~all pages) takes ~0.9 s
  uncached here and times wrk out, which caching hides entirely but cannot be measured so;
- page list with the limiter vs without it (both cached; goal ≥ 0.95);
- in process: one limiter check (RedisBackend.hit) vs one Redis PING, median µs.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.serving import LUA, seed_pages, server_env
from bench.serving import wrk as serving_wrk
from tests.support.live import LiveServer

ROUNDS = 3
DURATION_S = 10
WARMUP_S = 2
CHECKS = 5_000

PATHS = {"list": "/api/pages?limit=20", "search": "/api/search?q=777&limit=20"}
SERVERS = {
    "uncached": {"RESPONSE_CACHE_ENABLED": "false", "RATE_LIMIT_ENABLED": "false"},
    "cached": {"RESPONSE_CACHE_ENABLED": "true", "RATE_LIMIT_ENABLED": "false"},
    "limited": {"RESPONSE_CACHE_ENABLED": "true", "RATE_LIMIT_ENABLED": "true",
                "RATE_LIMIT_RULES": json.dumps({"reads": {"limit": 10**6, "period": 60},
                                                "search": {"limit": 10**6, "period": 60}})},
}
TARGETS = [  # (server, path label)
    ("uncached", "list"), ("cached", "list"), ("limited", "list"), ("uncached", "search"), ("cached", "search"),
]


def wrk(url: str, script_path: Path, seconds: int) -> dict:
    """bench.serving's wrk run, with a 10 s request timeout: uncached answers can take seconds on a
    loaded machine, and a timeout is a socket error that would void the run."""
    return serving_wrk(url, script_path, seconds, timeout="10s")


def script(workdir: Path, label: str) -> Path:
    path = workdir / f"{label}.lua"
    path.write_text(LUA % {"ids": "", "path": PATHS[label]})
    return path


def measure(servers: dict[str, LiveServer], scripts: dict[str, Path]) -> dict[tuple, float]:
    """Median req/s of each target over ROUNDS interleaved rounds."""
    for name, label in TARGETS:
        wrk(servers[name].url, scripts[label], WARMUP_S)
    runs: dict[tuple, list[float]] = {t: [] for t in TARGETS}
    for _ in range(ROUNDS):
        for name, label in TARGETS:
            runs[(name, label)].append(wrk(servers[name].url, scripts[label], DURATION_S)["rps"])
    return {t: statistics.median(v) for t, v in runs.items()}


def limiter_check_us() -> tuple[float, float]:
    """(median µs of one RedisBackend.hit, median µs of one PING) on the same connection pool."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    import django

    django.setup()
    from ops.cache.client import redis_client
    from ops.ratelimit.backends.redis import RedisBackend

    backend, client, key = RedisBackend(alias="default"), redis_client("default"), f"bench:{uuid.uuid4().hex}"

    def timed(fn) -> float:
        samples = []
        for _ in range(CHECKS):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1e6

    timed(client.ping)
    check = timed(lambda: backend.hit(key, limit=10**6, period=60))
    ping = timed(client.ping)
    return check, ping


def row(name: str, figure: float, unit: str, baseline: float, baseline_name: str) -> dict:
    return {"name": name, "figure": round(figure, 2), "unit": unit, "baseline": round(baseline, 2),
            "baseline_name": baseline_name, "ratio": round(figure / baseline, 3)}


def run() -> list[dict]:
    seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-cache-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp:
        workdir = Path(tmp)
        scripts = {label: script(workdir, label) for label in PATHS}
        servers = {name: LiveServer(workers=2, env={**server_env(workdir / name), **env},
                                    log=workdir / f"{name}.log") for name, env in SERVERS.items()}
        try:
            for server in servers.values():
                server.start()
            rps = measure(servers, scripts)
        except Exception:
            for name in servers:
                log = workdir / f"{name}.log"
                print(log.read_text()[-2000:] if log.exists() else f"(no {name} log)")
            raise
        finally:
            for server in servers.values():
                server.stop()
    check_us, ping_us = limiter_check_us()
    return [
        row("page list, response cache on", rps[("cached", "list")], "req/s",
            rps[("uncached", "list")], "response cache off"),
        row("search, response cache on", rps[("cached", "search")], "req/s",
            rps[("uncached", "search")], "response cache off"),
        row("page list (cached), rate limiter on", rps[("limited", "list")], "req/s",
            rps[("cached", "list")], "rate limiter off"),
        row("one rate-limit check (GCRA Lua, 1 round trip)", check_us, "µs", ping_us, "Redis PING"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
