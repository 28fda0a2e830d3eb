"""Live granian servers (two worker processes, multiprocess mode): restarts, in-flight, settings."""
import socket
from pathlib import Path

from tests.support.wait import wait_until

from .support import get, kill, parse, scrape, series, value, worker_pids

LIVE_SETTINGS = {"DJANGO_SETTINGS_MODULE": "tests.ops.metrics.live_settings"}
REQUESTS = "papyrus_http_requests_total"
RESPAWN = ["--respawn-failed-workers", "--respawn-interval", "0.2", "--workers-kill-timeout", "2"]


def traffic(server, n: int) -> None:
    for i in range(n):
        assert get(server.url + "/api/pages")[0] == 200
        assert get(server.url + f"/missing/{i}")[0] == 404


def test_counters_do_not_go_backwards_when_a_worker_is_killed(papyrus_server):
    server = papyrus_server(workers=2, env=LIVE_SETTINGS, args=RESPAWN)
    workdir = Path(server.env["PROMETHEUS_MULTIPROC_DIR"])
    traffic(server, 30)
    before = value(scrape(server), REQUESTS)
    assert before >= 60

    workers = worker_pids(server.proc.pid)
    assert len(workers) == 2
    victim = next(pid for pid in workers if (workdir / f"counter_{pid}.db").exists())
    kill(victim)
    wait_until(lambda: victim not in worker_pids(server.proc.pid) and len(worker_pids(server.proc.pid)) == 2)
    wait_until(lambda: get(server.url + "/health/live")[0] == 200)

    after = value(scrape(server), REQUESTS)
    assert after >= before + 1  # + the /health/live probe just above; never less
    assert not list(workdir.glob(f"*_{victim}.db"))  # the dead worker's files were folded away
    assert (workdir / "counter_archive.db").exists()
    traffic(server, 5)
    assert value(scrape(server), REQUESTS) == after + 10


def in_flight(server) -> float:
    """active_connections summed from the workers' files (no HTTP: a scrape could queue behind)."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=server.env["PROMETHEUS_MULTIPROC_DIR"])
    return value(parse(generate_latest(registry).decode()), "papyrus_active_connections")


def test_active_connections_counts_in_flight_requests_and_returns_to_zero(papyrus_server):
    server = papyrus_server(workers=2, env=LIVE_SETTINGS)
    # A client sends a slow request and hangs up at once: the worker still finishes it.
    client = socket.create_connection(("127.0.0.1", server.port))
    client.sendall(b"GET /test/slow?s=3 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    wait_until(lambda: in_flight(server) == 1, timeout=20, interval=0.05)
    client.close()
    wait_until(lambda: in_flight(server) == 0, timeout=20)
    samples = scrape(server)
    assert value(samples, "papyrus_active_connections") == 0
    assert value(samples, REQUESTS, route="/test/slow") == 1


def test_a_404_flood_does_not_grow_the_series(papyrus_server):
    server = papyrus_server(workers=2, env=LIVE_SETTINGS)
    traffic(server, 1)
    before = scrape(server)
    for i in range(200):
        get(server.url + f"/wp-admin/{i}.php?x={i}")
    after = scrape(server)
    assert len(series(after, REQUESTS)) == len(series(before, REQUESTS))
    # Per-worker process series (pid label) appear when a worker serves its first request, which
    # may fall inside the flood; they are bounded by the worker count, not by the paths asked.
    def without_process(samples):
        return {key for key in samples if not key[0].startswith("process_")}

    assert without_process(after) == without_process(before)
    assert value(after, REQUESTS, route="<unmatched>") - value(before, REQUESTS, route="<unmatched>") == 200


def test_prefix_and_token_are_read_from_the_environment(papyrus_server):
    token = "live-metrics-token-0123456789abcdef"
    server = papyrus_server(workers=2, env={**LIVE_SETTINGS, "PROMETHEUS_PREFIX": "wiki_", "METRICS_TOKEN": token})
    traffic(server, 2)
    status, body = get(server.url + "/metrics")
    assert status == 401 and token.encode() not in body
    assert get(server.url + "/metrics", {"Authorization": "Bearer nope"})[0] == 401
    samples = scrape(server, {"Authorization": f"Bearer {token}"})
    assert value(samples, "wiki_http_requests_total", route="/api/pages") == 2
    assert value(samples, "process_resident_memory_bytes") > 0  # standard names, whatever the prefix
    assert not [name for name, _ in samples if name.startswith("papyrus_")]


def test_allowed_ips_refuse_other_addresses(papyrus_server):
    server = papyrus_server(workers=2, env={**LIVE_SETTINGS, "METRICS_ALLOWED_IPS": "10.0.0.0/8,192.168.0.1"})
    status, body = get(server.url + "/metrics")
    assert status == 403 and b"Forbidden" in body


def test_disabled_means_no_endpoint_and_nothing_recorded(papyrus_server):
    server = papyrus_server(workers=2, env={**LIVE_SETTINGS, "ENABLE_PROMETHEUS": "false"})
    traffic(server, 5)
    status, body = get(server.url + "/metrics")
    assert status == 404 and b"Not found" in body
    workdir = Path(server.env["PROMETHEUS_MULTIPROC_DIR"])
    assert sorted(p.name for p in workdir.iterdir()) == []  # no middleware, no DB hook wrote anything
