"""The operations layer as production runs it vs the layer off, on page read and page list, in one run.

Production-shape servers (granian WSGI, 2 workers, settings.prod) on the same seeded database,
measured in interleaved wrk rounds (bench.serving's harness: each round in the opposite order of
the one before), figures are medians of the rounds and every row is a ratio to "off" of the same run:
- off (the baseline): ENABLE_PROMETHEUS=false, LOG_LEVEL=warn, RATE_LIMIT_ENABLED=false, no SENTRY_DSN;
- layer: metrics (multiprocess), JSON logs at LOG_LEVEL=info (production's level: no line per
  request), request ids, rate limiting in Redis with leased tokens (limits raised so that wrk is
  never answered 429; a lease is then 20 tokens, production's 600/min reads lease 12);
- layer + Sentry errors only: SENTRY_DSN to a local endpoint (tests/support/fake_sentry.py),
  SENTRY_TRACES_SAMPLE_RATE=0;
- layer + Sentry, shipped sampling: the default rate and SENTRY_TRACES_RULES of settings/base.py
  (page reads and lists traced at 1 %).
Where the remaining cost goes: one server per piece (metrics only, logs + request ids only,
rate limiter only), each vs off in the same run; Sentry's share is the difference between the
three layer rows. Response caching is on everywhere (it is the product, not an operations feature).
Targets (issue 14): ≥ 0.90 / ≥ 0.85 / ≥ 0.80.

In-process rows ("in process"): the same configurations without the network, each in its own
process running settings.prod's WSGI application the way granian calls it, one request at a
time; CPU time of the process (all threads) per request, rounds interleaved, median of each
round's ratio to "off". On a machine shared with other work this is the figure that holds still:
it leaves out granian, wrk and the kernel's network work, which the layer does not add to, so it
is the stricter ratio.

Server rows: two ratios per row, both per round against "off" of the same round, median over the rounds:
- `ratio` (the row's figure): server CPU per request, off / on — the CPU (user + system, from
  /proc) that the server's processes spent per answered request. The machine is shared with other
  work, which moves throughput by tens of percent from one run to the next but barely moves the
  CPU a request costs; on a CPU-bound server throughput is inversely proportional to it. It leaves
  out Redis', PostgreSQL's and wrk's CPU, which the layer does not add to (leases make Redis' share
  smaller), so it is the stricter of the two.
- `rps_ratio`: throughput on / off, the direct figure — trustworthy on a quiet machine only.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
from pathlib import Path

from bench.serving import DURATION_S, interleaved, medians, seed_pages, server_env, servers, wrk, write_script
from tests.support.fake_sentry import FakeSentry

TARGETS = {"read": "page read GET /api/pages/{id}", "list": "page list GET /api/pages?limit=20"}
HIGH_LIMITS = json.dumps({name: {"limit": 10**9} for name in ("auth", "search", "writes", "reads")})
LAYER = "metrics + logs + request ids + rate limiter"
ROWS = {  # server name → (row label, target)
    "layer": (LAYER, 0.90),
    "layer, Sentry errors": (LAYER + " + Sentry errors only", 0.85),
    "layer, Sentry sampled": (LAYER + " + Sentry errors and traces at the shipped sampling", 0.80),
    "metrics only": ("attribution: metrics only", None),
    "logs only": ("attribution: JSON logs at info + request ids only", None),
    "limiter only": ("attribution: rate limiter (leased tokens) only", None),
}


def envs(workdir: Path, dsn: str) -> dict[str, dict]:
    base = server_env(workdir)
    off = {**base, "ENABLE_PROMETHEUS": "false", "LOG_LEVEL": "warn", "RATE_LIMIT_ENABLED": "false", "SENTRY_DSN": ""}
    metrics = {"ENABLE_PROMETHEUS": "true"}
    logs = {"LOG_LEVEL": "info"}
    limiter = {"RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_RULES": HIGH_LIMITS}
    layer = {**off, **metrics, **logs, **limiter}
    sentry_errors = {"SENTRY_DSN": dsn, "SENTRY_TRACES_SAMPLE_RATE": "0"}
    sentry_sampled = {"SENTRY_DSN": dsn}  # settings/base.py's defaults: the shipped sampling
    named = {"off": off, "layer": layer, "layer, Sentry errors": {**layer, **sentry_errors},
             "layer, Sentry sampled": {**layer, **sentry_sampled}, "metrics only": {**off, **metrics},
             "logs only": {**off, "LOG_LEVEL": "info"}, "limiter only": {**off, **limiter}}
    # "logs only" differs from off by the level alone: the request id middleware is always on.
    return {name: {**env, "LOG_DIR": str(workdir / f"logs-{n}")} for n, (name, env) in enumerate(named.items())}


def prewarm(running: dict, scripts: dict) -> None:
    """Fill every server's response cache and connections once before the harness' own warm-up:
    seven cold servers on a shared 2-core machine answer their first requests in seconds."""
    for server in running.values():
        for script in scripts.values():
            try:
                wrk(server.url, script, 3, timeout="10s")
            except RuntimeError:
                pass  # a cold start's slow answers are what this pass absorbs


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of process `root` and every live descendant (granian's workers)."""
    parents, times = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0.0) for pid in tree)


def measured(server, script) -> dict:
    """One wrk run (a generous timeout: a stall on the shared machine must not void a round) plus the
    server's CPU per answered request in µs."""
    before = tree_cpu_seconds(server.proc.pid)
    result = wrk(server.url, script, DURATION_S, timeout="10s")
    spent = tree_cpu_seconds(server.proc.pid) - before
    return {**result, "cpu_us": spent * 1e6 / (result["rps"] * DURATION_S)}


def paired(on_runs: list[dict], off_runs: list[dict], key: str, invert: bool) -> float:
    """Median over rounds of on/off (or off/on), each round against the same round's baseline."""
    ratios = [(off[key] / on[key]) if invert else (on[key] / off[key]) for on, off in zip(on_runs, off_runs)]
    return statistics.median(ratios)


INPROC_ROUNDS = 7
INPROC_REQUESTS = {"read": 1500, "list": 1000}


class InProcess:
    """One configuration's bench.opslayer_worker process."""

    def __init__(self, env: dict, ids: list[int]):
        import subprocess
        import sys

        from tests.support.live import ROOT, base_env

        self.proc = subprocess.Popen([sys.executable, "-m", "bench.opslayer_worker"], cwd=ROOT, text=True,
                                     env=base_env(**env, BENCH_PAGE_IDS=",".join(map(str, ids))),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line or not json.loads(line).get("ready"):
            raise RuntimeError("an in-process bench worker did not start")

    def measure(self, target: str) -> float:
        self.proc.stdin.write(f"{target} {INPROC_REQUESTS[target]}\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if answer["codes"] != [200]:
            raise RuntimeError(f"in-process {target}: answers {answer['codes']}")
        return answer["cpu_us"]

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def in_process(configs: dict[str, dict], ids: list[int], workdir: Path) -> dict[tuple[str, str], list[float]]:
    """CPU µs per request of every (configuration, target), INPROC_ROUNDS interleaved rounds."""
    from ops.metrics.multiproc import prepare_directory

    workers = {}
    try:
        for name, env in configs.items():
            prom = prepare_directory(workdir / f"prom-inproc-{len(workers)}")
            workers[name] = InProcess({**env, "PROMETHEUS_MULTIPROC_DIR": str(prom)}, ids)
        pairs = [(name, target) for target in INPROC_REQUESTS for name in workers]
        results = {pair: [] for pair in pairs}
        for n in range(INPROC_ROUNDS):
            for name, target in (pairs if n % 2 == 0 else pairs[::-1]):
                results[name, target].append(workers[name].measure(target))
        return results
    finally:
        for worker in workers.values():
            worker.stop()


def run() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-ops-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp, \
            FakeSentry() as sentry:
        workdir = Path(tmp)
        scripts = {label: write_script(workdir, label, ids) for label in TARGETS}
        configs = envs(workdir, sentry.dsn)
        cpu = in_process(configs, ids, workdir)
        with servers(configs, workdir) as running:
            prewarm(running, scripts)
            # The machine is shared with other work: a generous per-request timeout keeps a stall
            # from voiding a round (it still counts in the throughput).
            results = interleaved(running, scripts, run_once=measured)
        traced = {t.get("transaction") for t in sentry.items("transaction")}
    if not traced & {"/api/pages/{page_id}", "/api/pages"}:
        raise RuntimeError("the sampled server sent no page transaction: the Sentry row would measure nothing")
    rows = []
    for label, name in TARGETS.items():
        off_cpu = cpu["off", label]
        for server, (row, target) in ROWS.items():
            ratios = [off / on for on, off in zip(cpu[server, label], off_cpu)]
            rows.append({"name": f"{name}, {row} (in process, CPU per request)",
                         "figure": round(statistics.median(cpu[server, label]), 1), "unit": "µs",
                         "baseline": round(statistics.median(off_cpu), 1), "baseline_name": "layer off",
                         "ratio": round(statistics.median(ratios), 3), "round_ratios": [round(r, 3) for r in ratios],
                         **({"target": target} if target else {})})
    for label, name in TARGETS.items():
        off_runs = results["off", label]
        off = medians(off_runs)
        for server, (row, target) in ROWS.items():
            on_runs = results[server, label]
            on = medians(on_runs)
            rows.append({"name": f"{name}, {row} (server CPU per request)", "figure": round(on["cpu_us"], 1),
                         "unit": "µs", "baseline": round(off["cpu_us"], 1), "baseline_name": "layer off",
                         "ratio": round(paired(on_runs, off_runs, "cpu_us", invert=True), 3),
                         "rps": round(on["rps"], 1), "rps_off": round(off["rps"], 1),
                         "rps_ratio": round(paired(on_runs, off_runs, "rps", invert=False), 3),
                         **({"target": target} if target else {})})
    return rows
