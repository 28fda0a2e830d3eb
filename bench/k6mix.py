"""The client's k6 flow's cost on the production-shape stack, driven by wrk (bench/clientflow.lua).

Stack: `make loadtest`'s (scripts/loadtest.py: settings.prod, nginx → granian WSGI, 500 seeded
public pages, rate limiting off). Setup as k6/load-test.js's: one user registers, signs in and
creates the team its CRUD pages go to.

Rows, each with its baseline from the same run:
- server CPU per request of the original client's flow (bench/clientflow.lua: its pauses, its
  signed-in list, search and teams) vs per cached page read (GET /api/pages/<id>): utime + stime
  of every server process (nginx, granian and its workers, PostgreSQL and its backends, Redis) read
  from /proc before and after a wrk run, divided by the requests served; ROUNDS interleaved rounds,
  medians;
- the same for this bench's former flow (bench/k6flow.lua: anonymous list, page and search, a
  cached read of the new page and a 404 read among its 9 requests, 1 s think): why the bench said
  2.17 ms per request while the clients met 3.7 — its cheap anonymous reads (never invalidated by
  the flow's team writes) diluted the signed-in misses the real client makes;
- server CPU of one login (POST /api/auth/login, sequential) vs one cached page read;
- the most concurrent users of the client's flow that hold p95 < 500 ms with < 1 % failed checks,
  probed upward over USERS, vs the guide's 500, on both cores beside wrk (bench.capacity pins the
  server to one core and wrk to the other).
wrk is the load generator (C, ~0.1 core at these rates), not k6.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from scripts import loadtest, services
from scripts import run as make_run

ROOT = Path(__file__).resolve().parent.parent

FLOW = Path(__file__).resolve().parent / "clientflow.lua"
FORMER_FLOW = Path(__file__).resolve().parent / "k6flow.lua"
ROUNDS = int(os.environ.get("K6MIX_ROUNDS", 3))
CPU_USERS = 50           # the CPU rounds' load: below saturation, so CPU/request is not queueing
FORMER_USERS = 30        # the former flow's (1 s think, 9 requests): about the same request rate
CPU_SECONDS = 15
LOGINS = 20
USERS = tuple(int(u) for u in os.environ.get("K6MIX_USERS", "50,100,150,200,300,500").split(","))
PROBE_SECONDS = 30
WORKERS = make_run.web_workers()
PASSWORD = "LoadTest123!"
TICKS = os.sysconf("SC_CLK_TCK")

READ_LUA = """
local ids = {%s}
wrk.headers["Content-Type"] = "application/json"
function init(args) math.randomseed(os.time() + os.clock() * 1e6) end
function request() return wrk.format("GET", "/api/pages/" .. ids[math.random(#ids)]) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "failed": %%d, "socket_errors": %%d, ' ..
    '"p95_us": %%d}\\n', summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(95)))
end
"""


# --- server CPU --------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of `pid` (reaped children's CPU lands in cutime/cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(f) for f in fields[11:15])


def server_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by `roots` and all their live descendants (and reaped ones)."""
    return sum(server_cpu_by(roots).values())


def server_cpu_by(roots: list[int]) -> dict[int, float]:
    """server_cpu() of each root (with its descendants): root pid → CPU seconds so far."""
    tree, by_root = _children(), {}
    for root in roots:
        seen, stack = set(), [root]
        while stack:
            pid = stack.pop()
            if pid not in seen:
                seen.add(pid)
                stack.extend(tree.get(pid, []))
        by_root[root] = sum(_ticks(pid) for pid in seen) / TICKS
    return by_root


def service_roots() -> list[int]:
    """PostgreSQL's postmaster and Redis of `python -m scripts.services test` (PAPYRUS_TEST_TMP)."""
    tmp = Path(os.environ["PAPYRUS_TEST_TMP"])
    postmaster = int((tmp / "pg" / "data" / "postmaster.pid").read_text().split()[0])
    redis = int((tmp / "redis" / "redis.pid").read_text().strip())
    return [postmaster, redis]


# --- HTTP setup ----------------------------------------------------------------------------
class Http:
    """JSON over plain HTTP that keeps the auth cookies (settings.prod marks them Secure, which
    a cookie jar would not send over http://127.0.0.1)."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.cookies:
            headers["Cookie"] = self.cookie()
        req = urllib.request.Request(self.base + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, raw, got = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, raw, got = e.code, e.read(), e.headers
        for line in got.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            if name in ("accessToken", "refreshToken"):
                self.cookies[name] = value
        return status, json.loads(raw or b"null")

    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def k6_setup(base: str) -> tuple[str, int, str]:
    """As k6/load-test.js's setup(): register, sign in, create the CRUD team. (cookie, team id, email)."""
    http, email = Http(base), f"k6_{uuid.uuid4().hex[:12]}@loadtest.local"
    status, body = http.call("POST", "/api/auth/register", {"name": "k6 Load Test", "email": email,
                                                            "password": PASSWORD})
    assert status == 201, (status, body)
    status, body = http.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200, (status, body)
    status, team = http.call("POST", "/api/teams", {"name": "k6 CRUD"})
    assert status == 201, (status, team)
    return http.cookie(), team["id"], email


# --- wrk -----------------------------------------------------------------------------------
def wrk(base: str, script: Path, *, threads: int, connections: int, seconds: int, env: dict) -> dict:
    done = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                           "-s", str(script), base], capture_output=True, text=True, timeout=seconds + 60,
                          env={**os.environ, **env})
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not result["requests"]:
        raise RuntimeError(f"wrk served nothing: {result}")
    result["error_rate"] = (result["failed"] + result["socket_errors"]) / result["requests"]
    return result


def cpu_per_request(base: str, roots: list[int], script: Path, *, threads: int, users: int,
                    env: dict) -> tuple[float, dict]:
    """(ms of server CPU per request, wrk result) for one run; the result's "ms_by_part" splits the
    CPU per request by server part (ROOT_NAMES order: nginx, granian, PostgreSQL, Redis, sign-in granian)."""
    before = server_cpu_by(roots)
    result = wrk(base, script, threads=threads, connections=users, seconds=CPU_SECONDS, env=env)
    after = server_cpu_by(roots)
    if result["error_rate"] > 0.01:
        raise RuntimeError(f"{script.name}: {result['error_rate']:.1%} failed during a CPU round: {result}")
    result["ms_by_part"] = {name: round((after[pid] - before[pid]) * 1000 / result["requests"], 3)
                            for name, pid in zip(ROOT_NAMES, roots)}
    return sum(result["ms_by_part"].values()), result


ROOT_NAMES = ("nginx", "granian", "postgresql", "redis", "granian sign-in")


def login_cpu_ms(base: str, roots: list[int], email: str) -> float:
    http = Http(base)
    http.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})  # warm
    before = server_cpu(roots)
    for _ in range(LOGINS):
        status, body = http.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
        assert status == 200, (status, body)
    return (server_cpu(roots) - before) * 1000 / LOGINS


def drain() -> None:
    """Let the requests a stopped wrk left queued in the server finish before the next run."""
    time.sleep(3)


def row(name: str, figure: float, unit: str, baseline: float, baseline_name: str) -> dict:
    return {"name": name, "figure": round(figure, 3), "unit": unit, "baseline": round(baseline, 3),
            "baseline_name": baseline_name, "ratio": round(figure / baseline, 3)}


def page_ids(base: str) -> list[int]:
    status, pages = Http(base).call("GET", "/api/pages?limit=100")
    assert status == 200 and pages, (status, pages)
    return [p["id"] for p in pages]


def run() -> list[dict]:
    port = services.free_port()
    env = loadtest.production_env()
    procs = loadtest.start_stack(env, port, WORKERS)
    base = f"http://127.0.0.1:{port}"
    web = [p.pid for p in procs[:2]]  # nginx, granian (celery and the WebSocket server are not on the path)
    roots = web + service_roots() + [procs[3].pid]  # and the sign-in granian
    try:
        with tempfile.TemporaryDirectory(prefix="bench-k6mix-") as tmp:
            cookie, team_id, email = k6_setup(base)
            read = Path(tmp) / "read.lua"
            read.write_text(READ_LUA % ",".join(map(str, page_ids(base))))
            flow_env = {"COOKIE": cookie, "TEAM_ID": str(team_id), "THINK_MS": "1000"}
            mix, former, reads, logins = [], [], [], []
            wrk(base, FLOW, threads=CPU_USERS, connections=CPU_USERS, seconds=5, env=flow_env)  # warm-up
            drain()
            wrk(base, read, threads=4, connections=32, seconds=3, env={})
            measured = {"mix": mix, "former": former, "read": reads}
            for n in range(ROUNDS):
                order = [("mix", FLOW, flow_env, CPU_USERS, CPU_USERS),
                         ("former", FORMER_FLOW, flow_env, FORMER_USERS, FORMER_USERS), ("read", read, {}, 4, 32)]
                for label, script, script_env, threads, users in (order if n % 2 == 0 else order[::-1]):
                    ms, result = cpu_per_request(base, roots, script, threads=threads, users=users,
                                                 env=script_env)
                    measured[label].append(ms)
                    drain()
                    print(f"bench.k6mix: round {n} {label}: {ms:.3f} ms CPU/request {result}", flush=True)
                logins.append(login_cpu_ms(base, roots, email))
            probes = []
            for users in USERS:
                result = wrk(base, FLOW, threads=users, connections=users, seconds=PROBE_SECONDS, env=flow_env)
                ok = result["p95_us"] < 500_000 and result["error_rate"] < 0.01
                probes.append((users, ok, result))
                print(f"bench.k6mix: {users} users: {'meets' if ok else 'misses'} {result}", flush=True)
                if not ok:
                    break
                drain()
    finally:
        loadtest.stop_stack(procs)
    mix_ms, former_ms, read_ms, login_ms = (statistics.median(v) for v in (mix, former, reads, logins))
    best = max((u for u, ok, _ in probes if ok), default=0)
    return [
        row("client's k6 flow: server CPU per request (web+PostgreSQL+Redis+nginx)", mix_ms, "ms", read_ms,
            "cached page read"),
        row("bench's former flow (k6flow.lua: anonymous browse, 1 s think): server CPU per request", former_ms,
            "ms", mix_ms, "client's k6 flow"),
        row("login: server CPU of one POST /api/auth/login", login_ms, "ms", read_ms, "cached page read"),
        row(f"client's k6 flow, both cores beside wrk: most users with p95<500ms, <1% failed (granian x{WORKERS})",
            float(best),
            "users", 500.0, "guide's target"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
