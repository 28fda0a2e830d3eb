"""Live servers sharing Redis: one limit across processes, no stale read across processes,
Sentinel failover and a Redis crash during traffic (no restart of the web processes)."""
from __future__ import annotations

import json
import threading
import uuid

import redis

from tests.support.http import Http
from tests.support.redis_fixtures import fresh_sentinel  # noqa: F401 - fixture
from tests.support.redis_topologies import RedisServer, wait_until

PASSWORD = "s3cret-Pass!"


def sign_up(http: Http, server) -> None:
    status, _, body = http.call("POST", server.url + "/api/auth/register",
                                {"name": "Live", "email": f"live-{uuid.uuid4().hex}@example.com",
                                 "password": PASSWORD})
    assert status == 201, body


def create_page(http: Http, server, title: str) -> int:
    status, _, body = http.call("POST", server.url + "/api/pages", {"title": title, "content": f"{title} body"})
    assert status == 201, body
    return body["id"]


def test_two_processes_share_one_limit(papyrus_server, redis_database):
    env = {"REDIS_DB": str(redis_database.number), "RATE_LIMIT_ENABLED": "true",
           "RATE_LIMIT_RULES": json.dumps({"reads": {"limit": 10, "period": 3600}})}
    a, b = papyrus_server(workers=2, env=env), papyrus_server(workers=2, env=env)
    http = Http()
    answers = [http.call("GET", (a, b)[i % 2].url + "/api/pages") for i in range(12)]
    assert [s for s, _, _ in answers] == [200] * 10 + [429, 429]
    assert [h["RateLimit-Remaining"] for _, h, _ in answers] == [str(n) for n in range(9, -1, -1)] + ["0", "0"]
    refused_status, refused_headers, refused_body = answers[-1]
    assert int(refused_headers["Retry-After"]) >= 1 and "message" in refused_body


def test_a_write_through_one_process_is_never_read_stale_through_the_other(papyrus_server, redis_database):
    env = {"REDIS_DB": str(redis_database.number), "RESPONSE_CACHE_ENABLED": "true"}
    a, b = papyrus_server(workers=2, env=env), papyrus_server(workers=2, env=env)
    writer, reader = Http(), Http()
    sign_up(writer, a)
    word = f"w{uuid.uuid4().hex[:12]}"
    page_id = create_page(writer, a, f"{word} v0")
    for i in range(1, 13):
        into, out_of = (a, b) if i % 2 else (b, a)
        for server in (a, b):  # warm both processes' view of the current state
            reader.call("GET", f"{server.url}/api/pages/{page_id}")
            reader.call("GET", f"{server.url}/api/search?q={word}")
        status, _, _ = writer.call("PATCH", f"{into.url}/api/pages/{page_id}", {"title": f"{word} v{i}"})
        assert status == 200
        for who in (reader, writer):
            assert who.call("GET", f"{out_of.url}/api/pages/{page_id}")[2]["title"] == f"{word} v{i}"
            assert who.call("GET", f"{out_of.url}/api/pages")[2][0]["title"] == f"{word} v{i}"
            assert [p["title"] for p in who.call("GET", f"{out_of.url}/api/search?q={word}")[2]] == [f"{word} v{i}"]
    store = redis_database.client()
    assert list(store.scan_iter(match="*{wiki}:entry:*")), "the reads were not cached in Redis"
    # every write (1 create + 12 patches) bumped its page's scope and the public pages' scope
    for scope in (f"page:{page_id}", "public"):
        assert int(store.get(next(store.scan_iter(match=f"*{{wiki}}:scope:{scope}")))) >= 13, scope


class Traffic:
    """Reads in a background thread until stopped: every status seen, and whether limits were on."""

    def __init__(self, url: str):
        self.url, self.statuses, self.limited = url, [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        http = Http()
        while not self._stop.is_set():
            status, headers, _ = http.call("GET", self.url)
            self.statuses.append(status)
            self.limited.append(headers.get("RateLimit-Limit") is not None)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)

    def wait_limited_again(self):
        """Wait until a request made from now on is rate-limited again (Redis answers again)."""
        seen = len(self.limited)
        wait_until(lambda: any(self.limited[seen:]), "rate limiting to come back", timeout=60)


def assert_fresh_after_write(http: Http, server, page_id: int, title: str):
    assert http.call("PATCH", f"{server.url}/api/pages/{page_id}", {"title": title})[0] == 200
    assert http.call("GET", f"{server.url}/api/pages/{page_id}")[2]["title"] == title
    assert http.call("GET", f"{server.url}/api/pages")[2][0]["title"] == title


def test_sentinel_failover_during_traffic(papyrus_server, fresh_sentinel):  # noqa: F811
    env = {"REDIS_SENTINEL_MASTER": "mymaster", "REDIS_SENTINEL_NODES": fresh_sentinel.nodes,
           "RATE_LIMIT_ENABLED": "true", "RESPONSE_CACHE_ENABLED": "true",
           "RATE_LIMIT_RULES": json.dumps({"reads": {"limit": 100000, "period": 60}})}
    server = papyrus_server(workers=2, env=env)
    http = Http()
    sign_up(http, server)
    page_id = create_page(http, server, f"failover {uuid.uuid4().hex[:8]}")
    old_master = fresh_sentinel.master_port()
    with Traffic(f"{server.url}/api/pages/{page_id}") as traffic:
        wait_until(lambda: sum(traffic.limited) >= 20, "traffic through the first master")
        fresh_sentinel.kill_master()
        new_master = fresh_sentinel.wait_failover(old_master)
        traffic.wait_limited_again()
        assert_fresh_after_write(http, server, page_id, "after failover")
    assert set(traffic.statuses) == {200}, sorted(set(traffic.statuses))
    promoted = redis.Redis(host="127.0.0.1", port=new_master)
    assert list(promoted.scan_iter(match="*{wiki}:entry:*")), "caching resumed on the promoted master"


def test_redis_killed_during_traffic_then_back(papyrus_server, tmp_path):
    store = RedisServer(tmp_path / "redis").start()
    env = {"REDIS_URL": store.url, "RATE_LIMIT_ENABLED": "true", "RESPONSE_CACHE_ENABLED": "true",
           "RATE_LIMIT_RULES": json.dumps({"reads": {"limit": 100000, "period": 60}})}
    try:
        server = papyrus_server(workers=2, env=env)
        http = Http()
        sign_up(http, server)
        page_id = create_page(http, server, f"crash {uuid.uuid4().hex[:8]}")
        with Traffic(f"{server.url}/api/pages") as traffic:
            wait_until(lambda: sum(traffic.limited) >= 20, "traffic with Redis up")
            store.kill()
            # Tokens leased before the kill are spent without Redis (RATELIMIT_LEASE_MAX per process,
            # docs/redis.md): those answers still carry the RateLimit headers; none after them.
            seen = len(traffic.statuses) + 2 * 20 + 5  # 2 workers × the default lease, + in flight
            wait_until(lambda: len(traffic.statuses) >= seen + 50, "traffic with Redis down")
            assert not any(traffic.limited[seen:]), "limits cannot be counted without Redis"
            assert_fresh_after_write(http, server, page_id, "written while Redis was down")
            store = RedisServer(tmp_path / "redis", port=store.port).start()
            traffic.wait_limited_again()
            assert_fresh_after_write(http, server, page_id, "written after Redis came back")
        assert set(traffic.statuses) == {200}, sorted(set(traffic.statuses))
        assert list(store.client().scan_iter(match="*{wiki}:entry:*")), "caching resumed"
    finally:
        store.stop()
