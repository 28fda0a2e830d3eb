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
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bench.serving import interleaved, medians, seed_pages, server_env, servers, write_script
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


def run() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-ops-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp, \
            FakeSentry() as sentry:
        workdir = Path(tmp)
        scripts = {label: write_script(workdir, label, ids) for label in TARGETS}
        with servers(envs(workdir, sentry.dsn), workdir) as running:
            results = interleaved(running, scripts)
        traced = {t.get("transaction") for t in sentry.items("transaction")}
    if not traced & {"/api/pages/{page_id}", "/api/pages"}:
        raise RuntimeError("the sampled server sent no page transaction: the Sentry row would measure nothing")
    rows = []
    for label, name in TARGETS.items():
        off = medians(results["off", label])["rps"]
        for server, (row, target) in ROWS.items():
            on = medians(results[server, label])["rps"]
            rows.append({"name": f"{name}, {row}", "figure": round(on, 1), "unit": "req/s",
                         "baseline": round(off, 1), "baseline_name": "layer off",
                         "ratio": round(on / off, 3), **({"target": target} if target else {})})
    return rows
