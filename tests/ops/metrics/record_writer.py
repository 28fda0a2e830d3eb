"""Test helper, run as a subprocess with PROMETHEUS_MULTIPROC_DIR set: the same requests recorded
through ops.metrics.record's one-call path or through the children's own methods.

    python -m tests.ops.metrics.record_writer lean|plain   → prints {"lean": bool}
A fork in the middle: the child records in its own files, as a server's worker would.
"""
import json
import os
import sys

from ops.metrics import record
from ops.metrics.metrics import SERIES

REQUESTS = [  # (method, route, status, seconds, request bytes, response bytes)
    ("GET", "/api/pages/{page_id}", "200", 0.0009, 0, 812),
    ("GET", "/api/pages/{page_id}", "200", 0.01, 0, 64),  # on a bucket edge: le="0.01"
    ("POST", "/api/pages", "201", 0.3, 1500, 900),
    ("GET", "/api/pages", "404", 12.0, 0, 0),  # beyond the last bound: +Inf only
]


def main(mode: str) -> None:
    m = SERIES.build("papyrus_", registry=None)
    made = {}

    def series(method, route, status):
        key = (method, route, status)
        if key not in made:
            made[key] = record.HttpSeries(m.http_requests.labels(*key), m.http_duration.labels(*key),
                                          m.http_request_size.labels(*key), m.http_response_size.labels(*key),
                                          m.active_connections)
            if mode == "plain":
                made[key].lock = None
        return made[key]

    def run(requests):
        for method, route, status, seconds, sent, answered in requests:
            m.active_connections.inc()
            series(method, route, status).record(seconds, sent, answered)

    run(REQUESTS[:2])
    pid = os.fork()
    if pid == 0:
        run(REQUESTS)
        os._exit(0)
    os.waitpid(pid, 0)
    run(REQUESTS[2:])
    m.active_connections.inc()  # one request still in flight
    print(json.dumps({"lean": all(s.lock is not None for s in made.values())}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
