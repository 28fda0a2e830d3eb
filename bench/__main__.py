"""Run the benchmarks listed in bench.BENCHMARKS (or those named on the command line)."""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench import BENCHMARKS

RESULTS = Path(__file__).resolve().parent / "results.json"
ROOT = RESULTS.parent.parent
REQUIRED = {"name": str, "figure": (int, float), "unit": str, "baseline": (int, float), "baseline_name": str,
            "ratio": (int, float)}


def check_row(row: dict) -> dict:
    """A row as bench/__init__.py documents it, or ValueError saying what is missing."""
    for key, kind in REQUIRED.items():
        if not isinstance(row.get(key), kind) or isinstance(row.get(key), bool):
            raise ValueError(f"row {row!r}: {key!r} must be {kind}")
    return row


def number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def table(rows: list[dict]) -> str:
    """One aligned text table: benchmark | figure | baseline | ratio."""
    lines = [("benchmark", "figure", "baseline (same run)", "ratio")]
    for r in rows:
        lines.append((r["name"], f"{number(r['figure'])} {r['unit']}",
                      f"{r['baseline_name']} {number(r['baseline'])} {r['unit']}", f"{r['ratio']:.2f}"))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join([line[0].ljust(widths[0]), line[1].rjust(widths[1]), line[2].ljust(widths[2]),
                              line[3].rjust(widths[3])]).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def git_revision() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def machine() -> dict:
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_count": os.cpu_count(), "cpu": cpu_model(),
            "platform": platform.platform(), "python": platform.python_version(),
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "revision": git_revision(),
            # the machine is shared: a high load average means other work competed with the run
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def run_one(module_name: str) -> list[dict]:
    started = time.monotonic()
    print(f"bench: running {module_name} ...", flush=True)
    rows = [check_row(r) | {"module": module_name} for r in importlib.import_module(module_name).run()]
    print(f"bench: {module_name} done in {time.monotonic() - started:.0f}s", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("modules", nargs="*", help=f"dotted module names (default: {', '.join(BENCHMARKS)})")
    args = parser.parse_args(argv)
    rows, failures = [], []
    for name in args.modules or BENCHMARKS:
        try:
            rows += run_one(name)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            failures.append({"module": name, "error": f"{type(exc).__name__}: {exc}"})
    info = machine()
    print(f"\nPapyrus benchmarks — {info['date']}, {info['nproc']} CPUs ({info['cpu']}), rev {info['revision']}, "
          f"load average {info['loadavg'][1]} (5 min)\n")
    print(table(rows))
    for f in failures:
        print(f"FAILED {f['module']}: {f['error']}")
    RESULTS.write_text(json.dumps({"machine": info, "results": rows, "failures": failures}, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
