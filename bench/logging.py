"""Cost of the JSON `http` line per request: the same server shape with LOG_LEVEL=http vs info.

Two granian WSGI servers (2 workers, settings.prod, as bench.serving starts them) run side by
side; only the one under load uses CPU. `wrk -t2 -c64` on GET /api/pages/{random id}:
a warm-up each, then 3 interleaved 10 s rounds (order alternating), medians. With LOG_LEVEL=info the request
middleware still runs (request id in and out) but writes no line; with LOG_LEVEL=http every
request writes one JSON line to combined.log and the daily file. The run is refused when the
http server wrote fewer lines than it answered requests.

A second, noise-resistant pair of rows measures CPU time (process_time) per `http` line in
this process: ops.logging's LOGGING (context + masking filters, JSON, combined + daily files
under the file lock, batched) against a naive line (python-json-logger's
JsonFormatter on one logging.FileHandler), 5 interleaved rounds of 20,000 lines, medians.
"""
from __future__ import annotations

import json
import logging
import logging.config
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.serving import (DURATION_S, WARMUP_S, interleaved, medians, seed_pages, server_env, servers, wrk,
                           write_script)

NAME = "page read with one JSON `http` log line per request"
BASELINE_NAME = "same server, LOG_LEVEL=info (no http line)"


HTTP_EXTRA = {"method": "GET", "route": "/api/pages/{page_id}", "status": 200, "durationMs": 1.23,
              "requestBytes": 0, "responseBytes": 2143, "requestId": "4f0c2b9e8d7a4c1f9e3b5a6d7c8e9f01",
              "userId": 12, "ip": "127.0.0.1", "_ops_masked": True}


def _cpu_per_line(logger, lines: int = 20_000) -> float:
    started = time.process_time()
    for _ in range(lines):
        logger.log(15, "%s %s %s %sms", "GET", "/api/pages/{page_id}", 200, 1.23, extra=HTTP_EXTRA)
    return (time.process_time() - started) / lines * 1e6


def line_cost() -> list[dict]:
    """CPU µs per http line: ops.logging's files vs one naive python-json-logger FileHandler."""
    from pythonjsonlogger.json import JsonFormatter

    from ops.logging.config import build_logging

    with tempfile.TemporaryDirectory(prefix="bench-log-lines-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp:
        naive = logging.getLogger("bench.naive")
        naive.propagate, naive.level = False, 10
        handler = logging.FileHandler(os.path.join(tmp, "naive.log"))
        handler.setFormatter(JsonFormatter())
        naive.addHandler(handler)
        logging.config.dictConfig(build_logging(level="http", directory=os.path.join(tmp, "ops"), service="papyrus"))
        ours = logging.getLogger("ops.http")
        rounds = {"ours": [], "naive": []}
        for _ in range(5):
            rounds["ours"].append(_cpu_per_line(ours))
            rounds["naive"].append(_cpu_per_line(naive))
        _detach_handlers()  # before their directory goes: later records must not reach them
    on, off = statistics.median(rounds["ours"]), statistics.median(rounds["naive"])
    return [{"name": "CPU per `http` line: ops.logging (2 files, locked, batched)", "figure": round(on, 1),
             "unit": "us", "baseline": round(off, 1), "baseline_name": "naive python-json-logger FileHandler",
             "ratio": round(on / off, 3)}]


def _detach_handlers() -> None:
    """Flush, close and remove every handler of every logger (this process' logging is bench-only)."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                      if isinstance(lg, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers[:]:
            logger.removeHandler(handler)
            handler.close()


def http_lines(log_dir: Path) -> int:
    path = log_dir / "combined.log"
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text().splitlines() if json.loads(line)["level"] == "http")


def run() -> list[dict]:
    return line_cost() + throughput()


def throughput() -> list[dict]:
    ids = seed_pages()
    with tempfile.TemporaryDirectory(prefix="bench-logging-", dir=os.environ.get("PAPYRUS_TEST_TMP")) as tmp:
        workdir = Path(tmp)
        scripts = {"read": write_script(workdir, "read", ids)}
        envs = {level: {**server_env(workdir / level), "LOG_LEVEL": level, "LOG_MAX_SIZE": "1g"}
                for level in ("info", "http")}
        with servers(envs, workdir) as running:
            # a 10 s socket timeout: the shared machine stalls at times
            results = interleaved(running, scripts,
                                  run_once=lambda server, script: wrk(server.url, script, DURATION_S, timeout="10s"))
        if http_lines(workdir / "http" / "logs") < WARMUP_S * 100 or http_lines(workdir / "info" / "logs"):
            raise RuntimeError("the http server wrote no http lines, or the info server wrote some")
    on, off = medians(results["http", "read"]), medians(results["info", "read"])
    return [
        {"name": NAME, "figure": round(on["rps"], 1), "unit": "req/s", "baseline": round(off["rps"], 1),
         "baseline_name": BASELINE_NAME, "ratio": round(on["rps"] / off["rps"], 3)},
        {"name": NAME + " p50", "figure": round(on["p50_ms"], 2), "unit": "ms", "baseline": round(off["p50_ms"], 2),
         "baseline_name": BASELINE_NAME, "ratio": round(on["p50_ms"] / off["p50_ms"], 3)},
    ]
