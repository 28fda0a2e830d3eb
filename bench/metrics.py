"""Cost of the metrics layer, and scrape time after many worker restarts.

1. Throughput: two granian WSGI servers (2 workers, settings.prod, as bench.serving starts
   them) side by side, one with ENABLE_PROMETHEUS=true (middleware, DB hook, multiprocess
   files), one with ENABLE_PROMETHEUS=false. `wrk -t2 -c64` on GET /api/pages/{random id}:
   a warm-up each, then 3 interleaved 10 s rounds, medians. The run is refused unless the
   "on" server counted every request wrk reports and the "off" server has no /metrics.
   The servers' CPU per request (user + system, from /proc) is reported too: it stays
   meaningful when the shared machine is busy and req/s is not.

2. CPU per request in one process (Django's handler, no server, no wrk): 3 interleaved
   rounds of 3,000 page reads each with metrics on and off; process CPU time, medians.
   This is the figure to trust on a busy machine: it does not count time spent waiting.

3. One request's HTTP series, written in one call (ops.metrics.record) vs through the children's
   own `inc`/`observe` (what it replaced), in one process with a multiprocess directory: 20,000
   requests each way, 5 interleaved rounds, process CPU per request, medians. No Django.

4. Scrape time: a server with 4 workers; after traffic, GET /metrics is timed (median of
   30). Then 200 worker restarts are SIMULATED by writing 200 dead workers' files: copies
   of a real worker's counter/histogram/gauge files under pids above pid_max (so no process
   can own them). Real restarts (granian respawns, ~1 s each) would take minutes for the
   same directory state. The first scrape afterwards folds them into the archive (its time
   is reported too); then scrapes are timed again. For comparison, prometheus_client alone
   (no reaping) reads a snapshot of the 204-worker directory.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from bench.serving import (DURATION_S, ROUNDS, WARMUP_S, interleaved, medians, seed_pages, server_env, servers,
                           wrk, write_script)
from ops.metrics.multiproc import prepare_directory
from tests.support.live import ROOT, LiveServer, base_env

NAME = "page read with metrics on"
BASELINE_NAME = "same server, ENABLE_PROMETHEUS=false"
RESTARTS = 200
SCRAPES = 30


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def requests_counted(url: str) -> float:
    status, body = fetch(url + "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    return sum(s.value for f in text_string_to_metric_families(body.decode()) for s in f.samples
               if s.name == "papyrus_http_requests_total" and s.labels.get("route") == "/api/pages/{page_id}")


def server_cpu_s(server: LiveServer) -> float:
    """CPU seconds (user + system) used so far by the server's processes (main + workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue
        if entry.name == str(server.proc.pid) or fields[1] == str(server.proc.pid):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def timed_round(server: LiveServer, script: Path) -> dict:
    """One wrk round plus the server's CPU per request (robust when the machine is shared)."""
    cpu = server_cpu_s(server)
    result = wrk(server.url, script, DURATION_S)
    result["cpu_us"] = (server_cpu_s(server) - cpu) / (result["rps"] * DURATION_S) * 1e6
    return result


def throughput(workdir: Path, ids: list[int]) -> list[dict]:
    scripts = {"read": write_script(workdir, "read", ids)}
    envs = {state: {**server_env(workdir / state), "ENABLE_PROMETHEUS": "true" if state == "on" else "false"}
            for state in ("on", "off")}
    with servers(envs, workdir) as running:
        results = interleaved(running, scripts, run_once=timed_round)
        counted = requests_counted(running["on"].url)
        if counted < sum(r["rps"] for r in results["on", "read"]) * DURATION_S * 0.99:
            raise RuntimeError(f"the metrics server counted only {counted:.0f} page reads")
        if fetch(running["off"].url + "/metrics")[0] != 404:
            raise RuntimeError("ENABLE_PROMETHEUS=false still serves /metrics")
    med = {state: medians(results[state, "read"]) for state in envs}
    on, off = med["on"], med["off"]
    return [
        {"name": NAME, "figure": round(on["rps"], 1), "unit": "req/s", "baseline": round(off["rps"], 1),
         "baseline_name": BASELINE_NAME, "ratio": round(on["rps"] / off["rps"], 3)},
        {"name": NAME + " p99", "figure": round(on["p99_ms"], 2), "unit": "ms", "baseline": round(off["p99_ms"], 2),
         "baseline_name": BASELINE_NAME, "ratio": round(on["p99_ms"] / off["p99_ms"], 3)},
        {"name": "server CPU per page read, metrics on", "figure": round(on["cpu_us"], 1), "unit": "us",
         "baseline": round(off["cpu_us"], 1), "baseline_name": BASELINE_NAME,
         "ratio": round(on["cpu_us"] / off["cpu_us"], 3)},
    ]


HANDLER_CPU = """
import os, random, sys, time
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
ids = [int(i) for i in sys.argv[1].split(",")]
handler, factory, rng = WSGIHandler(), RequestFactory(), random.Random(7)
def one():
    response = handler.get_response(factory.get(f"/api/pages/{rng.choice(ids)}", HTTP_HOST="127.0.0.1"))
    assert response.status_code == 200, response.status_code
for _ in range(300):
    one()
started = time.process_time()
for _ in range(int(sys.argv[2])):
    one()
print((time.process_time() - started) / int(sys.argv[2]) * 1e6)
"""
HANDLER_REQUESTS = 3000


def handler_cpu_us(workdir: Path, ids: list[int], state: str) -> float:
    """CPU µs per page read through Django's handler in one process (middleware, view, DB client),
    without a server: immune to other load on the machine, unlike req/s."""
    env = base_env(**server_env(workdir / "handler"), ENABLE_PROMETHEUS="true" if state == "on" else "false",
                   PROMETHEUS_MULTIPROC_DIR=str(prepare_directory(workdir / "handler" / state)))
    done = subprocess.run([sys.executable, "-c", HANDLER_CPU, ",".join(map(str, ids[:200])), str(HANDLER_REQUESTS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"handler benchmark failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def handler_cost(workdir: Path, ids: list[int]) -> list[dict]:
    rounds = {"on": [], "off": []}
    for _ in range(ROUNDS):
        for state in rounds:
            rounds[state].append(handler_cpu_us(workdir, ids, state))
    on, off = statistics.median(rounds["on"]), statistics.median(rounds["off"])
    return [{"name": "CPU per page read in-process (Django handler), metrics on", "figure": round(on, 1),
             "unit": "us", "baseline": round(off, 1), "baseline_name": "same, ENABLE_PROMETHEUS=false",
             "ratio": round(on / off, 3)}]


RECORD_CPU = """
import sys, time
from ops.metrics.metrics import SERIES
from ops.metrics.record import HttpSeries
m = SERIES.build("papyrus_", registry=None)
labels = ("GET", "/api/pages/{page_id}", "200")
lean = HttpSeries(m.http_requests.labels(*labels), m.http_duration.labels(*labels), m.http_request_size.labels(*labels),
                  m.http_response_size.labels(*labels), m.active_connections)
plain = HttpSeries(lean.requests, lean.duration, lean.request_size, lean.response_size, lean.active)
plain.lock = None
assert lean.lock is not None, "ops.metrics.record fell back to the children's methods"
def cpu(series, n):
    started = time.process_time()
    for i in range(n):
        series.active.inc()
        series.record(0.0008 + (i % 7) * 0.003, 0, 812)
    return (time.process_time() - started) / n * 1e6
for series in (lean, plain):
    cpu(series, 2000)
for _ in range(int(sys.argv[1])):
    print(cpu(lean, int(sys.argv[2])), cpu(plain, int(sys.argv[2])))
"""
RECORD_ROUNDS, RECORD_REQUESTS = 5, 20_000


def record_cost(workdir: Path) -> list[dict]:
    """CPU µs per request for the HTTP series (the in-flight gauge's +1 and -1 included), both ways."""
    env = base_env(PROMETHEUS_MULTIPROC_DIR=str(prepare_directory(workdir / "record")))
    done = subprocess.run([sys.executable, "-c", RECORD_CPU, str(RECORD_ROUNDS), str(RECORD_REQUESTS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"record benchmark failed: {done.stderr[-2000:]}")
    rounds = [tuple(map(float, line.split())) for line in done.stdout.strip().splitlines()]
    lean, plain = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    return [{"name": "HTTP series per request, written in one call (ops.metrics.record)", "figure": round(lean, 2),
             "unit": "us", "baseline": round(plain, 2), "baseline_name": "the children's own inc/observe",
             "ratio": round(lean / plain, 3)}]


def scrape_ms(url: str, times: int = SCRAPES) -> float:
    took = []
    for _ in range(times):
        started = time.perf_counter()
        status, _ = fetch(url + "/metrics")
        took.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"/metrics answered {status}")
    return statistics.median(took)


def simulate_restarts(directory: Path, count: int) -> None:
    """Write `count` dead workers' files: copies of one live worker's files under unused pids."""
    model = max(directory.glob("histogram_*.db"), key=lambda p: p.stat().st_size)
    pid = model.stem.rpartition("_")[2]
    sources = [p for p in directory.glob(f"*_{pid}.db")]
    first_dead = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    for n in range(count):
        for src in sources:
            shutil.copy(src, directory / src.name.replace(f"_{pid}.db", f"_{first_dead + n}.db"))


def collect_ms(directory: Path, times: int = 5) -> float:
    """prometheus_client alone (no reaping): render every file of `directory`."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    took = []
    for _ in range(times):
        started = time.perf_counter()
        generate_latest(registry)
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


def scrapes(workdir: Path, ids: list[int]) -> list[dict]:
    server = LiveServer(workers=4, env=server_env(workdir / "scrape"), log=workdir / "scrape.out").start()
    directory = Path(server.env["PROMETHEUS_MULTIPROC_DIR"])
    try:
        wrk(server.url, write_script(workdir, "read", ids), WARMUP_S)
        for path in ("/api/pages", "/health/live", "/no/such/page"):
            fetch(server.url + path)
        before = scrape_ms(server.url)
        simulate_restarts(directory, RESTARTS)
        snapshot = workdir / "snapshot"
        shutil.copytree(directory, snapshot)
        started = time.perf_counter()
        fetch(server.url + "/metrics")  # folds the 200 dead workers into the archive
        reaping = (time.perf_counter() - started) * 1000
        after = scrape_ms(server.url)
        files_left = len(list(directory.glob("*.db")))
        naive = collect_ms(snapshot)
        reaped = collect_ms(directory)
    finally:
        server.stop()
    if files_left > 4 * 4 + 4:
        raise RuntimeError(f"{files_left} files left after reaping")
    label = f"GET /metrics, 4 workers, after {RESTARTS} restarts (simulated)"
    return [
        {"name": label, "figure": round(after, 2), "unit": "ms", "baseline": round(before, 2),
         "baseline_name": "same server before the restarts", "ratio": round(after / before, 3)},
        {"name": f"first GET /metrics after {RESTARTS} restarts (folds them)", "figure": round(reaping, 1),
         "unit": "ms", "baseline": round(before, 2), "baseline_name": "a scrape before the restarts",
         "ratio": round(reaping / before, 3)},
        {"name": f"collect {RESTARTS + 4} workers' files without reaping (prometheus_client alone)",
         "figure": round(naive, 2), "unit": "ms", "baseline": round(reaped, 2),
         "baseline_name": "collect after reaping", "ratio": round(naive / reaped, 3)},
    ]


def run() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-metrics-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp:
        workdir = Path(tmp)
        return record_cost(workdir) + handler_cost(workdir, ids) + throughput(workdir, ids) + scrapes(workdir, ids)


if __name__ == "__main__":
    for row in run():
        print(row)
