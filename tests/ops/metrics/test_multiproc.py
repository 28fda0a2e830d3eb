"""Multiprocess directory: wiped at start, dead workers folded into an archive without losing counts."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from ops.metrics import multiproc
from ops.metrics.exposition import LockedMultiProcessCollector

from .support import parse, value

ROOT = Path(__file__).resolve().parents[3]


def collect(path) -> dict:
    registry = CollectorRegistry()
    registry.register(LockedMultiProcessCollector(None, path=str(path)))
    return parse(generate_latest(registry).decode())


@pytest.fixture
def writers(tmp_path):
    """Start writer processes (a live master + `children` dead workers) in tmp_path."""
    started = []

    def start(children: int) -> subprocess.Popen:
        env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
        proc = subprocess.Popen([sys.executable, "-m", "tests.ops.metrics.mp_writer", str(children)], cwd=ROOT,
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stdin.close()
        proc.wait(timeout=10)


def totals(samples: dict) -> tuple:
    return (value(samples, "papyrus_http_requests_total"),
            value(samples, "papyrus_http_request_duration_seconds_count"),
            round(value(samples, "papyrus_http_request_duration_seconds_sum"), 6),
            value(samples, "papyrus_http_request_duration_seconds_bucket", le="0.1"),
            value(samples, "papyrus_test_last_seen"))


def test_dead_workers_are_folded_into_the_archive_and_counts_are_kept(tmp_path, writers):
    master = writers(children=30)
    before = collect(tmp_path)
    assert len(list(tmp_path.glob("*.db"))) == 31 * 4  # counter, histogram, livesum, max per process
    assert value(before, "papyrus_active_connections") == 31

    reaped = multiproc.reap_dead(str(tmp_path))

    assert len(reaped) == 30 and master.pid not in reaped
    after = collect(tmp_path)
    assert totals(after) == totals(before)
    assert value(after, "papyrus_active_connections") == 1  # only the live master's in-flight request
    names = sorted(p.name for p in tmp_path.glob("*.db"))
    assert names == sorted([f"counter_{master.pid}.db", f"histogram_{master.pid}.db",
                            f"gauge_livesum_{master.pid}.db", f"gauge_max_{master.pid}.db",
                            "counter_archive.db", "histogram_archive.db", "gauge_max_archive.db"])
    assert multiproc.reap_dead(str(tmp_path)) == []  # nothing left to do: the fast path


def test_archives_accumulate_across_generations_of_workers(tmp_path, writers):
    writers(children=5)
    multiproc.reap_dead(str(tmp_path))
    writers(children=5)  # a second generation beside the first (both masters alive)
    before = collect(tmp_path)
    assert len(multiproc.reap_dead(str(tmp_path))) == 5
    after = collect(tmp_path)
    assert totals(after) == totals(before)
    # each generation: processes with n = 1..6 add n per route, two routes → 2 × 21; max gauge = 6
    assert totals(after)[0] == 2 * 2 * 21
    assert totals(after)[4] == 6


def test_reaping_waits_for_no_one_and_skips_while_a_scrape_holds_the_lock(tmp_path, writers):
    writers(children=3)
    with multiproc.locked(str(tmp_path)):
        assert multiproc.reap_dead(str(tmp_path)) == []
    assert len(multiproc.reap_dead(str(tmp_path))) == 3


def test_prepare_directory_wipes_metrics_files(tmp_path):
    (tmp_path / "counter_123.db").write_bytes(b"x")
    (tmp_path / "counter_archive.db").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    multiproc.prepare_directory(tmp_path / "sub")
    multiproc.prepare_directory(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "sub"]


def test_wipe_command_line(tmp_path):
    (tmp_path / "histogram_9.db").write_bytes(b"x")
    result = subprocess.run([sys.executable, "-m", "ops.metrics.multiproc", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "ready" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_scrape_time_collectors_of_other_apps_are_exposed_in_multiprocess_mode(tmp_path, writers):
    from prometheus_client import REGISTRY
    from prometheus_client.core import GaugeMetricFamily

    from ops.metrics.exposition import WithCustomCollectors

    class FromDatabase:
        def collect(self):
            family = GaugeMetricFamily("papyrus_test_backup_last_success_timestamp_seconds", "test")
            family.add_metric([], 1234.0)
            yield family

    writers(children=1)
    custom = FromDatabase()
    REGISTRY.register(custom)
    try:
        names = [family.name for family in WithCustomCollectors(str(tmp_path)).collect()]
    finally:
        REGISTRY.unregister(custom)
    assert "papyrus_test_backup_last_success_timestamp_seconds" in names
    assert "papyrus_http_requests" in names  # from the files
    assert len(names) == len(set(names))
    assert not [n for n in names if n.startswith(("process_", "python_gc_"))]
