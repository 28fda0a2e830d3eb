"""Papyrus benchmarks: `make bench` (= `python -m bench` under `python -m scripts.services test`).

`make bench` runs inside a throw-away PostgreSQL + Redis cluster: DATABASE_URL and REDIS_URL
point at it (and PAPYRUS_TEST_TMP at a scratch directory), so a benchmark may migrate, seed
and start servers freely. `python -m bench bench.serving` runs only the named modules.

Adding a benchmark
------------------
1. Write `bench/<name>.py` with `def run() -> list[dict]`. Each dict is one table row::

       {"name": "page read GET /api/pages/{id}",  # what was measured
        "figure": 2050.0, "unit": "req/s",         # the measurement
        "baseline": 3500.0,                        # same unit, measured IN THE SAME RUN
        "baseline_name": "/health/live",           # what the baseline is
        "ratio": 0.59}                             # figure / baseline

   Measure the baseline in the same run and interleave rounds with it (the machine is
   shared and noisy); report medians. Raise when the
   measurement is invalid (errors, non-2xx answers) rather than print a number.
2. Add the module's dotted name to BENCHMARKS below. Only list modules that exist.

`python -m bench` prints one aligned table and writes bench/results.json (rows, machine
facts, date). A benchmark that raises is reported and makes the run exit non-zero; the
others still run.
"""

BENCHMARKS = [
    "bench.serving",
    "bench.backups",
    "bench.pitr",
    "bench.realtime",
    "bench.logging",
    "bench.metrics",
    "bench.cache",
    "bench.opslayer",
    "bench.loadmix",
    "bench.k6mix",
    "bench.capacity",
    "bench.k6steps",
    "bench.web",
]
