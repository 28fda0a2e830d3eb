"""The whole operations layer on vs off, on page read and page list, in one run.

Two production-shape servers (granian WSGI, 2 workers, settings.prod) on the same seeded
database, measured in interleaved wrk rounds (bench.serving's harness):
- on: metrics (multiprocess), JSON logs at LOG_LEVEL=http (one line per request), request ids,
  rate limiting in Redis (limits raised so that wrk is never answered 429), Sentry to a local
  endpoint (tests/support/fake_sentry.py) with traces sampled at 0.1;
- on, Sentry errors only: the same with SENTRY_TRACES_SAMPLE_RATE=0 (tracing off, errors
  still captured);
- on without Sentry: the same with SENTRY_DSN empty;
- off: ENABLE_PROMETHEUS=false, LOG_LEVEL=warn, RATE_LIMIT_ENABLED=false, no SENTRY_DSN.
Response caching is on in both (it is the product, not an operations feature). Target ≥ 0.90.
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


def envs(workdir: Path, dsn: str) -> dict[str, dict]:
    base = server_env(workdir)
    on = {**base, "ENABLE_PROMETHEUS": "true", "LOG_LEVEL": "http", "LOG_DIR": str(workdir / "logs-on"),
          "RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_RULES": HIGH_LIMITS, "SENTRY_DSN": dsn,
          "SENTRY_TRACES_SAMPLE_RATE": "0.1"}
    off = {**base, "ENABLE_PROMETHEUS": "false", "LOG_LEVEL": "warn", "LOG_DIR": str(workdir / "logs-off"),
           "RATE_LIMIT_ENABLED": "false", "SENTRY_DSN": ""}
    # The same layer without Sentry: where the cost sits (Sentry has been the largest share).
    return {"on": on,
            "on, Sentry errors only": {**on, "SENTRY_TRACES_SAMPLE_RATE": "0", "LOG_DIR": str(workdir / "logs-rate0")},
            "on without Sentry": {**on, "SENTRY_DSN": "", "LOG_DIR": str(workdir / "logs-nosentry")},
            "off": off}


def run() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-ops-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp, \
            FakeSentry() as sentry:
        workdir = Path(tmp)
        scripts = {label: write_script(workdir, label, ids) for label in TARGETS}
        with servers(envs(workdir, sentry.dsn), workdir) as running:
            results = interleaved(running, scripts)
        if not list((workdir / "logs-on").glob("*.log")):
            raise RuntimeError("the ops-on server wrote no log file: the comparison would be meaningless")
    rows = []
    for label, name in TARGETS.items():
        off = medians(results["off", label])["rps"]
        for mode in ("on", "on, Sentry errors only", "on without Sentry"):
            on = medians(results[mode, label])["rps"]
            rows.append({"name": f"{name}, operations layer {mode}", "figure": round(on, 1), "unit": "req/s",
                         "baseline": round(off, 1), "baseline_name": "layer off", "ratio": round(on / off, 3)})
    return rows
