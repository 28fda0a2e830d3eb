"""Helpers for the metrics tests: parse an exposition into {(name, labels): value}."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.support.http import request


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    """Sum of the samples named `name` whose labels include `labels` (0 when none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def series(samples: dict, name: str) -> list[dict]:
    return [dict(ls) for (n, ls) in samples if n == name]


def get(url: str, headers: dict | None = None, data: bytes | None = None, method: str | None = None):
    """(status, body bytes) without raising on 4xx/5xx."""
    reply = request(method, url, data=data, headers=headers)
    return reply.status, reply.raw


def scrape(server, headers: dict | None = None) -> dict:
    status, body = get(server.url + "/metrics", headers)
    assert status == 200, body[:300]
    return parse(body.decode())


def worker_pids(parent_pid: int) -> list[int]:
    """Children of the granian main process (its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == parent_pid:
                pids.append(int(entry.name))
    return sorted(pids)


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def promtool(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["/usr/bin/promtool", *args], input=stdin, capture_output=True)
