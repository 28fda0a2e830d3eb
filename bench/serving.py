"""Page read and page list throughput of the production-shape server, against /health/live.

Setup: migrate the main database, seed ~1,000 public pages of ~2 KB, start granian WSGI
(2 workers, --blocking-threads 1, settings.prod) through tests/support/live.py. Then `wrk -t2
-c64 -d10s` on three targets — /health/live (the baseline: the same server, no database),
GET /api/pages/{random id}, GET /api/pages?limit=20 — in 3 interleaved rounds after a
short warm-up; each figure is the median of the rounds. Rate limiting is switched off
for the server under test (it would answer 429 at these rates; its cost is measured by its
own benchmark). Any non-2xx answer or socket error makes the benchmark fail.
"""
from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from tests.support.live import LiveServer, manage

PAGES = 1_000
ROUNDS = 3
DURATION_S = 10
WARMUP_S = 2
WRK = ["wrk", "-t2", "-c64"]
BASELINE = "/health/live"

SEED = f"""
import random
from papyrus.accounts.models import User
from papyrus.wiki.models import Page
author, _ = User.objects.get_or_create(email="bench@papyrus.local", defaults={{"name": "Bench"}})
have = Page.objects.alive().filter(slug__startswith="bench-", team__isnull=True).count()
words = "page wiki team search backup redis metrics deploy health cluster sentinel log".split()
rng = random.Random(42)
def text():
    return " ".join(rng.choice(words) for _ in range(300))[:2048]
Page.objects.bulk_create(
    [Page(title=f"Bench page {{i}}", slug=f"bench-{{i}}", content=text(), tags=["bench", rng.choice(words)],
          author=author) for i in range(have, {PAGES})], batch_size=500)
ids = Page.objects.alive().filter(slug__startswith="bench-", team__isnull=True).values_list("id", flat=True)
print("IDS", ",".join(map(str, ids)))
"""

# wrk prints this JSON line from done(); latencies are in microseconds.
LUA = """
local ids = {%(ids)s}
local fixed = "%(path)s"
local counter = 0
wrk.headers["Content-Type"] = "application/json"
function setup(thread) counter = counter + 1; thread:set("n", counter) end
function init(args) math.randomseed(os.time() * 1000 + n) end
function request()
  if #ids > 0 then return wrk.format("GET", "/api/pages/" .. ids[math.random(#ids)]) end
  return wrk.format("GET", fixed)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""

TARGETS = {  # label → (path or None for a random page id, row name)
    "baseline": (BASELINE, None),
    "read": (None, "page read GET /api/pages/{id}"),
    "list": ("/api/pages?limit=20", "page list GET /api/pages?limit=20"),
}


def seed_pages() -> list[int]:
    """Migrate the main database and make sure it holds PAGES public bench pages; their ids."""
    manage("migrate", "--noinput", "-v0")
    out = manage("shell", "-c", SEED).stdout
    ids = [int(i) for i in out.split("IDS ", 1)[1].split(",") if i.strip()]
    if len(ids) < PAGES:
        raise RuntimeError(f"seeded {len(ids)} pages, wanted {PAGES}")
    return ids


def write_script(workdir: Path, label: str, ids: list[int]) -> Path:
    path, _ = TARGETS[label]
    script = workdir / f"{label}.lua"
    script.write_text(LUA % {"ids": ",".join(map(str, ids)) if path is None else "", "path": path or ""})
    return script


def wrk(url: str, script: Path, seconds: int, *, timeout: str | None = None) -> dict:
    """One wrk run → {rps, p50_ms, p99_ms}; raises on any error or non-2xx answer.

    `timeout` is wrk's per-request socket timeout (its default is 2s); a request that exceeds it
    is a socket error and voids the run.
    """
    options = ["--timeout", timeout] if timeout else []
    done = subprocess.run([*WRK, *options, f"-d{seconds}s", "-s", str(script), url], capture_output=True, text=True,
                          timeout=seconds + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status_errors"] or result["socket_errors"] or not result["requests"]:
        raise RuntimeError(f"{script.stem}: invalid run {result}")
    return {"rps": result["requests"] / (result["duration_us"] / 1e6),
            "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000}


def server_env(workdir: Path) -> dict:
    """settings.prod, as deployed, minus TLS redirects (wrk speaks plain HTTP on loopback)."""
    return {"DJANGO_SETTINGS_MODULE": "settings.prod", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "JWT_SECRET": secrets.token_urlsafe(48), "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false", "RATE_LIMIT_ENABLED": "false", "REGISTRATION": "open", "LOG_DIR": str(workdir / "logs"),
            "BACKUP_ENABLED": "false", "BACKUP_DIR": str(workdir / "backups")}


@contextmanager
def servers(envs: dict[str, dict], workdir: Path, *, workers: int = 2) -> Iterator[dict[str, LiveServer]]:
    """One production-shape server per env (name → env), all started; all stopped on the way out.

    On a failure (a server that does not start, a voided wrk run) each server log's tail is printed.
    """
    started: dict[str, LiveServer] = {}
    try:
        for name, env in envs.items():
            started[name] = LiveServer(workers=workers, env=env, log=workdir / f"{name}.out").start()
        yield started
    except Exception:
        for name in envs:
            log = workdir / f"{name}.out"
            print(f"--- {log.name}\n" + (log.read_text()[-3000:] if log.exists() else "(no server log)"))
        raise
    finally:
        for server in started.values():
            server.stop()


def interleaved(running: dict[str, LiveServer], scripts: dict[str, Path], *,
                run_once: Callable[[LiveServer, Path], dict] | None = None) -> dict[tuple[str, str], list[dict]]:
    """Warm every (server, script) up, then ROUNDS rounds over all of them — each round in the
    opposite order of the one before (no first-in-round bias). Every run's result per pair."""
    run_once = run_once or (lambda server, script: wrk(server.url, script, DURATION_S))
    pairs = [(name, label) for label in scripts for name in running]
    for name, label in pairs:
        wrk(running[name].url, scripts[label], WARMUP_S)
    results: dict[tuple[str, str], list[dict]] = {pair: [] for pair in pairs}
    for n in range(ROUNDS):
        for name, label in (pairs if n % 2 == 0 else pairs[::-1]):
            results[name, label].append(run_once(running[name], scripts[label]))
    return results


def medians(runs: list[dict]) -> dict:
    """The median of each figure over a pair's runs."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def rows(figures: dict[str, dict]) -> list[dict]:
    base = figures["baseline"]
    out = []
    for label in ("read", "list"):
        name, got = TARGETS[label][1], figures[label]
        for key, unit, suffix in (("rps", "req/s", ""), ("p50_ms", "ms", " p50"), ("p99_ms", "ms", " p99")):
            out.append({"name": name + suffix, "figure": round(got[key], 2), "unit": unit,
                        "baseline": round(base[key], 2), "baseline_name": BASELINE,
                        "ratio": round(got[key] / base[key], 3)})
    return out


def run() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-serving-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp:
        workdir = Path(tmp)
        scripts = {label: write_script(workdir, label, ids) for label in TARGETS}
        with servers({"server": server_env(workdir)}, workdir) as running:
            results = interleaved(running, scripts)
    return rows({label: medians(results["server", label]) for label in TARGETS})


if __name__ == "__main__":
    for row in run():
        print(row)
