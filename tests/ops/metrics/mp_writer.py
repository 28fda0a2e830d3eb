"""Test helper, run as a subprocess with PROMETHEUS_MULTIPROC_DIR set: a live "master" that
forks short-lived "workers" writing metrics, like a server restarting its workers.

    python -m tests.ops.metrics.mp_writer CHILDREN   → prints "ready", then waits on stdin
"""
import os
import sys

from prometheus_client import Gauge

from ops.metrics.metrics import SERIES
from ops.series import PrefixedSeries


def work(m: PrefixedSeries, gauge_max: Gauge, n: int) -> None:
    for route in ("/api/pages", "/api/pages/{page_id}"):
        m.http_requests.labels("GET", route, "200").inc(n)
        m.http_duration.labels("GET", route, "200").observe(0.02 * n)
    m.active_connections.inc()  # left "in flight" when the process dies
    gauge_max.set(n)


def main(children: int) -> None:
    m = SERIES.build("papyrus_", registry=None)
    gauge_max = Gauge("papyrus_test_last_seen", "max gauge", multiprocess_mode="max", registry=None)
    work(m, gauge_max, 1)
    for i in range(children):
        pid = os.fork()
        if pid == 0:
            work(m, gauge_max, i + 2)
            os._exit(0)
        os.waitpid(pid, 0)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main(int(sys.argv[1]))
