"""Users per server core: the original client's k6 flow, the server on one core, wrk on another.

Stack: `make loadtest`'s (scripts/loadtest.py: settings.prod, nginx → granian WSGI, a Celery
worker, 500 seeded public pages, rate limiting off), every process of it — nginx, granian and its
workers, the Celery worker, PostgreSQL and its backends, Redis — pinned to SERVER_CPUS (core 0)
with sched_setaffinity (children inherit it), and wrk pinned to CLIENT_CPUS (core 1) by taskset.

Client: bench/clientflow.lua — the original client's flow with its pauses (GET /health, 0.5 s,
list, create in a team, read, patch, delete, 1 s, search, 0.5 s, teams, 0.5 s; one sign-in in
setup whose cookie every /api/ request carries), one wrk thread and connection per user.

Rows:
- the most users that hold p95 < 500 ms and < 1 % failed on one server core (probed upward over
  USERS, then halved between the last that held and the first that missed, down to STEP users),
  against the issue's 250; with the req/s served there and the server CPU per request split by
  part (nginx, granian, PostgreSQL, Redis, Celery, the sign-in granian) from /proc, as bench.k6mix
  splits it;
- the same search with both cores shared by the server and wrk (the two-core figure with the
  generator on the same machine), beside it, not instead;
- the guide's Artillery scenarios (scripts/artillery-test.yml, every CRUD user registering or
  getting 409, then signing in: one Argon2id hash each) at the guide's spike, SPIKE_RATE new users
  a second for SPIKE_SECONDS, server on core 0, Artillery on core 1: p95 and p99 against the
  guide's 500 ms and 1 s, with the server CPU per request split by part.
- with CAPACITY_MODES=models: the process model on one server core — for each granian
  workers×threads of CAPACITY_MODELS (interleaved rounds, medians, against the first): p95 and
  req/s of the client's flow at MODEL_USERS, and the p99 of cheap cached page reads alone and
  beside LOGINS_PER_SECOND sign-ins (each an Argon2id hash: does a hash stall the cheap requests?).
CAPACITY_MODEL=workers×threads (e.g. "2x4") selects the granian process model (default:
scripts/run.py's); CAPACITY_MODES=pinned,shared,spike[,models] selects the rows.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench import k6mix, loadmix
from scripts import loadtest, services
from scripts import run as make_run

CLIENT_FLOW = Path(__file__).resolve().parent / "clientflow.lua"
SERVER_CPUS, CLIENT_CPUS = {0}, {1}
USERS = tuple(int(u) for u in os.environ.get("CAPACITY_USERS", "100,150,200,250,300,400,500,600").split(","))
STEP = 25
PROBE_SECONDS = int(os.environ.get("CAPACITY_SECONDS", 40))
TARGET_USERS = 250
PARTS = ("nginx", "granian", "postgresql", "redis", "celery", "granian sign-in")
SPIKE_RATE, SPIKE_SECONDS = 100, 30


def process_model(cores: int) -> tuple[int, int]:
    """(granian workers, blocking threads per worker) from CAPACITY_MODEL, else scripts/run.py's
    for `cores` cores (WORKERS_PER_CORE processes per core)."""
    model = os.environ.get("CAPACITY_MODEL")
    if model:
        workers, threads = model.lower().split("x")
        return int(workers), int(threads)
    return make_run.WORKERS_PER_CORE * cores, make_run.web_threads()


# --- pinning ---------------------------------------------------------------------------------
def tree(roots: list[int]) -> set[int]:
    """Every live process under `roots`, roots included."""
    children, seen, stack = k6mix._children(), set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return seen


def pin(roots: list[int], cpus: set[int]) -> None:
    """Bind every thread of every process under `roots` to `cpus` (forks inherit the binding)."""
    for pid in tree(roots):
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                os.sched_setaffinity(int(task.name), cpus)
            except (OSError, ValueError):
                pass  # exited meanwhile


def all_cpus() -> set[int]:
    return set(range(os.cpu_count() or 1))


# --- one probe ---------------------------------------------------------------------------------
def probe(base: str, roots: list[int], users: int, flow_env: dict, *, client_cpus: set[int] | None) -> dict:
    """wrk with `users` users for PROBE_SECONDS; the result with req/s and CPU ms per request by part."""
    before = k6mix.server_cpu_by(roots)
    result = wrk(base, users, flow_env, client_cpus)
    after = k6mix.server_cpu_by(roots)
    seconds = result["duration_us"] / 1e6
    result["rps"] = round(result["requests"] / seconds, 1)
    result["ms_by_part"] = {name: round((after[pid] - before[pid]) * 1000 / result["requests"], 3)
                            for name, pid in zip(PARTS, roots)}
    result["server_cores_busy"] = round(sum(after[pid] - before[pid] for pid in roots) / seconds, 2)
    result["ok"] = result["p95_us"] < 500_000 and result["error_rate"] < 0.01
    return result


def wrk(base: str, users: int, env: dict, client_cpus: set[int] | None) -> dict:
    prefix = ["taskset", "-c", ",".join(map(str, sorted(client_cpus)))] if client_cpus else []
    done = subprocess.run([*prefix, "wrk", f"-t{users}", f"-c{users}", f"-d{PROBE_SECONDS}s", "--timeout", "10s",
                           "-s", str(CLIENT_FLOW), base], capture_output=True, text=True,
                          timeout=PROBE_SECONDS + 120, env={**os.environ, **env})
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["requests"]:
        raise RuntimeError(f"wrk served nothing: {result}")
    result["error_rate"] = (result["failed"] + result["socket_errors"]) / result["requests"]
    return result


def search(base: str, roots: list[int], flow_env: dict, *, client_cpus: set[int] | None, label: str) -> dict:
    """Probe USERS upward until one misses, then bisect to STEP; {users: result} of every probe."""
    probes: dict[int, dict] = {}

    def one(users: int) -> bool:
        probes[users] = probe(base, roots, users, flow_env, client_cpus=client_cpus)
        print(f"bench.capacity [{label}] {users} users: {'holds' if probes[users]['ok'] else 'misses'} "
              f"{probes[users]}", flush=True)
        k6mix.drain()
        return probes[users]["ok"]

    good, bad = 0, None
    for users in USERS:
        if one(users):
            good = users
        else:
            bad = users
            break
    while bad is not None and bad - good > STEP:
        middle = (good + bad) // 2 // STEP * STEP or STEP
        if middle in (good, bad):
            break
        if one(middle):
            good = middle
        else:
            bad = middle
    return {"best": good, "probes": probes}


def start(workers: int, threads: int, cpus: set[int]) -> tuple[list, str, list[int]]:
    """The stack of scripts.loadtest, its services and it bound to `cpus`; (procs, base URL, roots)."""
    port = services.free_port()
    roots_services = k6mix.service_roots()
    pin(roots_services, cpus)
    procs = loadtest.start_stack(loadtest.production_env(), port, workers, threads=threads, cpus=cpus)
    nginx, granian, _uvicorn, signin, celery = (p.pid for p in procs)
    return procs, f"http://127.0.0.1:{port}", [nginx, granian, *roots_services, celery, signin]


def rows_for(label: str, found: dict, model: str) -> list[dict]:
    best = found["best"]
    at = found["probes"].get(best) or {"rps": 0.0, "ms_by_part": dict.fromkeys(PARTS, 0.0), "p95_us": 0}
    split = ", ".join(f"{part} {ms:.2f}" for part, ms in at["ms_by_part"].items())
    total = sum(at["ms_by_part"].values())
    cores = len(SERVER_CPUS) if "one server core" in label else len(all_cpus())
    budget = cores * 1000 / max(at["rps"], 1.0)
    return [
        {"name": f"users per server core — {label}, granian {model}: most users of the client's flow "
                 f"with p95<500ms, <1% failed ({at['rps']:.0f} req/s, p95 {at['p95_us'] / 1000:.0f} ms there)",
         "figure": float(best), "unit": "users", "baseline": float(TARGET_USERS),
         "baseline_name": "the issue's target", "ratio": round(best / TARGET_USERS, 3)},
        {"name": f"{label}: server CPU per request at {best} users ({split})", "figure": round(total, 3),
         "unit": "ms", "baseline": round(budget, 3), "baseline_name": f"{cores} core(s)' time per request served",
         "ratio": round(total / budget, 3)},
    ]


def run_mode(mode: str, workers: int, threads: int) -> list[dict]:
    pinned = mode == "pinned"
    cpus = SERVER_CPUS if pinned else all_cpus()
    procs, base, roots = start(workers, threads, cpus)
    try:
        cookie, team_id, _email = k6mix.k6_setup(base)
        flow_env = {"COOKIE": cookie, "TEAM_ID": str(team_id)}
        wrk(base, 20, flow_env, CLIENT_CPUS if pinned else None)  # warm-up
        k6mix.drain()
        label = "one server core, wrk on the other" if pinned else "two cores shared with wrk"
        found = search(base, roots, flow_env, client_cpus=CLIENT_CPUS if pinned else None, label=label)
    finally:
        loadtest.stop_stack(procs)
        pin(k6mix.service_roots(), all_cpus())
    return rows_for(label, found, f"{workers}x{threads}")


def spike(workers: int, threads: int) -> list[dict]:
    """The guide's Artillery spike against one server core, Artillery on the other."""
    procs, base, roots = start(workers, threads, SERVER_CPUS)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp:
            report = Path(tmp) / "spike.json"
            overrides = json.dumps({"config": {"phases": [{"duration": SPIKE_SECONDS, "arrivalRate": SPIKE_RATE,
                                                           "name": "Spike test"}]}})
            before = k6mix.server_cpu_by(roots)
            loadtest.artillery(base, "short", report, overrides=overrides, cpus=CLIENT_CPUS)
            after = k6mix.server_cpu_by(roots)
            agg = json.loads(report.read_text())["aggregate"]
    finally:
        loadtest.stop_stack(procs)
        pin(k6mix.service_roots(), all_cpus())
    result = loadmix.summary(agg)
    served = max(1, agg["counters"].get("http.responses", 0))
    split = {name: round((after[pid] - before[pid]) * 1000 / served, 3) for name, pid in zip(PARTS, roots)}
    login = agg["summaries"].get("plugins.metrics-by-endpoint.response_time.login", {})
    print(f"bench.capacity [spike] {result} login {login} split {split}", flush=True)
    name = (f"Artillery spike {SPIKE_RATE} users/s for {SPIKE_SECONDS} s on one server core (per-user sign-in, "
            f"granian {workers}x{threads}; {result['rps']:.0f} req/s, {result['error_rate']:.2%} failed, "
            f"login p95 {login.get('p95', 0):.0f} ms)")
    parts = ", ".join(f"{k} {v:.2f}" for k, v in split.items())
    return [
        {"name": f"{name}: p95", "figure": round(result["p95"], 1), "unit": "ms", "baseline": 500.0,
         "baseline_name": "the guide's threshold", "ratio": round(result["p95"] / 500, 3)},
        {"name": f"{name}: p99", "figure": round(result["p99"], 1), "unit": "ms", "baseline": 1000.0,
         "baseline_name": "the guide's threshold", "ratio": round(result["p99"] / 1000, 3)},
        {"name": f"Artillery spike: server CPU per response ({parts})", "figure": round(sum(split.values()), 3),
         "unit": "ms", "baseline": round(1000 / max(result["rps"], 1), 3),
         "baseline_name": "one core's time per response served",
         "ratio": round(sum(split.values()) * max(result["rps"], 1) / 1000, 3)},
    ]


# --- the process model: processes vs threads on one core ------------------------------------------
MODELS = tuple(os.environ.get("CAPACITY_MODELS", "2x4,1x1,2x1,3x1,2x2").split(","))
MODEL_USERS = int(os.environ.get("CAPACITY_MODEL_USERS", 100))
MODEL_ROUNDS = 2
LOGINS_PER_SECOND = 10  # the guide's spike: 10 % of 100 new users a second sign in

STALL_LUA = """
local ids = {%s}
wrk.headers["Content-Type"] = "application/json"
function init(args) math.randomseed(os.time() + os.clock() * 1e6) end
function request() return wrk.format("GET", "/api/pages/" .. ids[math.random(#ids)]) end
function delay() return 20 end
function done(summary, latency, requests)
  io.write(string.format('{"requests": %%d, "failed": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
"""


def cheap_reads(base: str, script: Path, seconds: int) -> dict:
    """Anonymous page reads, 8 connections each pausing 20 ms between reads, wrk on the client's core."""
    done = subprocess.run(["taskset", "-c", ",".join(map(str, sorted(CLIENT_CPUS))), "wrk", "-t2", "-c8",
                           f"-d{seconds}s", "-s", str(script), base], capture_output=True, text=True,
                          timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def logins_meanwhile(base: str, email: str, seconds: int) -> int:
    """Sign `email` in LOGINS_PER_SECOND times a second (one thread per login) for `seconds`; how many."""
    sent, threads = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        thread = threading.Thread(target=lambda: k6mix.Http(base).call(
            "POST", "/api/auth/login", {"email": email, "password": k6mix.PASSWORD}))
        thread.start()
        threads.append(thread)
        sent += 1
        time.sleep(1 / LOGINS_PER_SECOND)
    for thread in threads:
        thread.join()
    return sent


def model_round(model: str, script_dir: Path) -> dict:
    """One model on one server core: the client's flow at MODEL_USERS, then cheap reads alone and beside logins."""
    workers, threads = (int(n) for n in model.split("x"))
    procs, base, roots = start(workers, threads, SERVER_CPUS)
    try:
        cookie, team_id, email = k6mix.k6_setup(base)
        flow_env = {"COOKIE": cookie, "TEAM_ID": str(team_id)}
        wrk(base, 20, flow_env, CLIENT_CPUS)  # warm-up
        k6mix.drain()
        flow = probe(base, roots, MODEL_USERS, flow_env, client_cpus=CLIENT_CPUS)
        k6mix.drain()
        script = script_dir / "stall.lua"
        script.write_text(STALL_LUA % ",".join(map(str, k6mix.page_ids(base))))
        alone = cheap_reads(base, script, 10)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            signing = pool.submit(logins_meanwhile, base, email, 10)
            beside = cheap_reads(base, script, 10)
            signing.result()
    finally:
        loadtest.stop_stack(procs)
        pin(k6mix.service_roots(), all_cpus())
    print(f"bench.capacity [model {model}] flow {flow} reads alone {alone} reads beside logins {beside}", flush=True)
    return {"flow": flow, "alone": alone, "beside": beside}


def models() -> list[dict]:
    """MODEL_ROUNDS interleaved rounds over MODELS on one server core; medians, against MODELS[0]."""
    results: dict[str, list[dict]] = {model: [] for model in MODELS}
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp:
        for n in range(MODEL_ROUNDS):
            for model in (MODELS if n % 2 == 0 else MODELS[::-1]):
                results[model].append(model_round(model, Path(tmp)))

    def median(model: str, *path: str) -> float:
        values = []
        for run in results[model]:
            value = run
            for key in path:
                value = value[key]
            values.append(value)
        return statistics.median(values)
    base = MODELS[0]
    rows = []
    for model in MODELS:
        for what, path, unit, scale in (
                (f"client's flow at {MODEL_USERS} users: p95", ("flow", "p95_us"), "ms", 1e-3),
                (f"client's flow at {MODEL_USERS} users: served", ("flow", "rps"), "req/s", 1),
                ("cached page read p99, alone", ("alone", "p99_us"), "ms", 1e-3),
                (f"cached page read p99, beside {LOGINS_PER_SECOND} logins/s (Argon2id)", ("beside", "p99_us"), "ms",
                 1e-3)):
            figure, baseline = median(model, *path) * scale, median(base, *path) * scale
            rows.append({"name": f"process model granian {model} on one server core: {what}",
                         "figure": round(figure, 1), "unit": unit, "baseline": round(baseline, 1),
                         "baseline_name": f"granian {base}", "ratio": round(figure / max(baseline, 1e-9), 3)})
    return rows


def run() -> list[dict]:
    modes = os.environ.get("CAPACITY_MODES", "pinned,shared,spike").split(",")
    rows = []
    for mode in modes:
        workers, threads = process_model(len(all_cpus()) if mode == "shared" else len(SERVER_CPUS))
        if mode == "spike":
            rows += spike(workers, threads)
        elif mode == "models":
            rows += models()
        else:
            rows += run_mode(mode, workers, threads)
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
