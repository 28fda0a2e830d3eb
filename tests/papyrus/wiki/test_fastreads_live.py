"""Anonymous reads from cached bytes through real servers: two granian processes sharing
PostgreSQL and Redis, a writer on one and an anonymous reader on the other (papyrus.wiki.fastreads)."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.support.http import Http, request
from tests.support.wait import wait_until

PASSWORD = "s3cret-Pass!"


def signed_up(server) -> Http:
    http = Http()
    status, _, body = http.call("POST", server.url + "/api/auth/register",
                                {"name": "Writer", "email": f"fast-{uuid.uuid4().hex}@example.com",
                                 "password": PASSWORD})
    assert status == 201, body
    return http


def test_a_write_through_one_process_is_read_through_the_other_with_a_new_etag(papyrus_server, redis_database):
    env = {"REDIS_DB": str(redis_database.number), "RESPONSE_CACHE_ENABLED": "true"}
    a, b = papyrus_server(workers=1, env=env), papyrus_server(workers=1, env=env)
    writer = signed_up(a)
    word = f"w{uuid.uuid4().hex[:12]}"
    status, _, page = writer.call("POST", a.url + "/api/pages", {"title": f"{word} v0", "content": "x"})
    assert status == 201
    reads = {"page": f"/api/pages/{page['id']}", "list": "/api/pages", "search": f"/api/search?q={word}"}
    for i in range(1, 4):
        etags = {}
        for name, path in reads.items():
            first, again = request("GET", b.url + path), request("GET", b.url + path)  # fill, then a hit
            assert first.raw == again.raw and first.headers["ETag"] == again.headers["ETag"]
            etags[name] = again.headers["ETag"]
            assert request("GET", b.url + path, headers={"If-None-Match": etags[name]}).status == 304
        assert writer.call("PATCH", f"{a.url}/api/pages/{page['id']}", {"title": f"{word} v{i}"})[0] == 200
        for name, path in reads.items():
            fresh = request("GET", b.url + path, headers={"If-None-Match": etags[name]})
            assert fresh.status == 200, name
            assert fresh.headers["ETag"] != etags[name]
            found = fresh.json()
            assert (found if name == "page" else found[0])["title"] == f"{word} v{i}"


def test_hits_through_a_real_server_are_counted_logged_and_carry_their_request_id(papyrus_server, redis_database,
                                                                                tmp_path):
    logs = tmp_path / "logs"
    server = papyrus_server(workers=1, env={"REDIS_DB": str(redis_database.number), "LOG_LEVEL": "http",
                                            "LOG_DIR": str(logs), "RESPONSE_CACHE_ENABLED": "true"})
    path = "/api/search?q=" + uuid.uuid4().hex[:10]
    etag = request("GET", server.url + path).headers["ETag"]
    ids = [f"fast-{uuid.uuid4().hex}" for _ in range(2)]
    hit = request("GET", server.url + path, headers={"X-Request-ID": ids[0]})
    not_modified = request("GET", server.url + path, headers={"X-Request-ID": ids[1], "If-None-Match": etag})
    assert (hit.status, not_modified.status) == (200, 304)
    assert (hit.headers["X-Request-ID"], not_modified.headers["X-Request-ID"]) == tuple(ids)

    scraped = request("GET", server.url + "/metrics").raw.decode()
    assert 'http_requests_total{method="GET",route="/api/search",status="304"} 1.0' in scraped

    def logged() -> list[tuple]:  # the lines are written in batches, by a thread, every fraction of a second
        lines = [json.loads(line) for line in Path(logs / "combined.log").read_text().splitlines() if line]
        return sorted((line["level"], line["route"], line["status"], line["requestId"])
                      for line in lines if line.get("requestId") in ids)
    wait_until(lambda: len(logged()) == 2, "the hits' http lines", timeout=15, ignore=(FileNotFoundError,))
    assert logged() == [("http", "/api/search", 200, ids[0]), ("http", "/api/search", 304, ids[1])]
