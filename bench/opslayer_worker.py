"""One configuration of the operations layer, in process: `read N` / `list N` → CPU µs per request.

Runs settings.prod's WSGI application the way granian calls it (environ in, body iterated, closed),
one request at a time, and answers with the process CPU time (every thread: the Sentry transport's
too) per request. bench.opslayer starts one per configuration and interleaves them.
"""
import json
import os
import random
import sys
import time


def main() -> None:
    from django.core.wsgi import get_wsgi_application

    from bench import wsgi

    application = get_wsgi_application()
    ids = [int(i) for i in os.environ["BENCH_PAGE_IDS"].split(",")]
    rng = random.Random(7)
    paths = {"read": lambda: (f"/api/pages/{rng.choice(ids)}", ""), "list": lambda: ("/api/pages", "limit=20")}

    def one(path: str, query: str) -> int:
        return wsgi.call(application, "GET", f"{path}?{query}" if query else path)[0]

    for path in ids:  # warm-up: every page once, so reads are cache hits as in the server benchmark
        one(f"/api/pages/{path}", "")
    one("/api/pages", "limit=20")
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        target, _, count = line.strip().partition(" ")
        started, codes = time.process_time(), set()
        for _ in range(int(count)):
            codes.add(one(*paths[target]()))
        spent = time.process_time() - started
        print(json.dumps({"cpu_us": spent * 1e6 / int(count), "codes": sorted(codes)}), flush=True)


if __name__ == "__main__":
    main()
