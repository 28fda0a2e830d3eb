"""One web-like process for the lease test: reads `hit N` lines, answers one JSON line each.

Each `hit N` sends N requests through the real middleware stack (tests/ops/ratelimit/settings.py,
counting in the Redis of REDIS_URL) and reports how many were admitted and the headers seen.
"""
import json
import sys

import django


def main() -> None:
    django.setup()
    from django.test import Client

    client = Client(REMOTE_ADDR="10.55.0.1")
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command, _, count = line.strip().partition(" ")
        if command != "hit":
            break
        statuses, remaining = [], []
        for _ in range(int(count)):
            response = client.get("/api/things")
            statuses.append(response.status_code)
            remaining.append(int(response["RateLimit-Remaining"]))
        print(json.dumps({"admitted": statuses.count(200), "refused": statuses.count(429),
                          "other": len(statuses) - statuses.count(200) - statuses.count(429),
                          "remaining": remaining}), flush=True)


if __name__ == "__main__":
    main()
