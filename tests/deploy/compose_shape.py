"""Helpers of the container lane: the production shape started by scripts.compose under its own
project name and ports, a load of real clients through its nginx, and an Alertmanager webhook sink."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scripts import compose
from tests.support.live import ROOT
from tests.support.wait import wait_until


@dataclass
class Shape:
    project: str
    port: int
    prometheus: str
    alertmanager: str
    env: dict

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def container(self, service: str, n: int = 1) -> str:
        return f"{self.project}_{service}_{n}"

    def podman(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        return compose.podman(*args, check=check, capture=True, timeout=timeout)

    def exec(self, service: str, *cmd: str, n: int = 1, check: bool = True) -> subprocess.CompletedProcess:
        return self.podman("exec", self.container(service, n), *cmd, check=check)

    def logs(self, service: str, n: int = 1) -> str:
        done = self.podman("logs", self.container(service, n))
        return done.stdout + done.stderr

    def healthy(self, service: str, n: int = 1) -> bool:
        return self.podman("healthcheck", "run", self.container(service, n), check=False).returncode == 0

    def wait_healthy(self, service: str, n: int = 1, timeout: float = 180) -> None:
        wait_until(lambda: self.healthy(service, n), f"{self.container(service, n)} to be healthy", timeout=timeout,
                   interval=1)

    def running(self, service: str, n: int = 1) -> bool:
        state = self.podman("inspect", "--format", "{{.State.Running}}", self.container(service, n), check=False)
        return state.stdout.strip() == "true"


def run_compose(env: dict, *args: str, log: Path, timeout: float = 1800) -> None:
    with open(log, "a") as out:
        done = subprocess.run([sys.executable, "-m", "scripts.compose", *args], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=timeout)
    if done.returncode:
        raise AssertionError(f"scripts.compose {' '.join(args)} exited {done.returncode}:\n{log.read_text()[-4000:]}")


# --- the clients ------------------------------------------------------------------------------------

def call(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None,
         timeout: float = 30) -> tuple[int, dict, bytes]:
    """One request on a new connection: (status, headers, body); status 0 when the connection failed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        reply = conn.getresponse()
        headers: dict[str, str] = {}
        for key, value in reply.getheaders():  # repeated headers (Set-Cookie) joined, none lost
            headers[key.lower()] = f"{headers[key.lower()]}, {value}" if key.lower() in headers else value
        return reply.status, headers, reply.read()
    except OSError:
        return 0, {}, b""
    finally:
        conn.close()


def sign_in(port: int, email: str, password: str) -> dict:
    status, headers, body = call(port, "POST", "/api/auth/login", {"email": email, "password": password})
    assert status == 200, (status, body[:300])
    cookie = headers["set-cookie"]
    token = cookie.split("accessToken=", 1)[1].split(";", 1)[0]
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Outcome:
    kind: str  # "read" | "write"
    status: int
    body: bytes
    headers: dict
    page_id: int | None = None
    started: float = 0.0  # time.monotonic() when the request was sent, and when its answer ended
    ended: float = 0.0


@dataclass
class Load:
    """Clients that read the page list anonymously and write pages signed in, until stopped."""
    port: int
    auth: dict
    readers: int = 3
    writers: int = 2
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        for target, n in ((self._read, self.readers), (self._write, self.writers)):
            for _ in range(n):
                thread = threading.Thread(target=target, daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _read(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            status, headers, body = call(self.port, "GET", "/api/pages?limit=5")
            self.outcomes.append(Outcome("read", status, body, headers, None, started, time.monotonic()))
            time.sleep(0.02)

    def _write(self) -> None:
        while not self._stop.is_set():
            title = f"drill {uuid.uuid4().hex[:12]}"
            started = time.monotonic()
            status, headers, body = call(self.port, "POST", "/api/pages", {"title": title, "content": "drill"},
                                         self.auth)
            page_id = json.loads(body)["id"] if status == 201 else None
            self.outcomes.append(Outcome("write", status, body, headers, page_id, started, time.monotonic()))
            time.sleep(0.05)

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    def summary(self) -> dict:
        counts: dict[str, dict[int, int]] = {}
        for o in self.outcomes:
            counts.setdefault(o.kind, {})
            counts[o.kind][o.status] = counts[o.kind].get(o.status, 0) + 1
        return counts


def lost_writes(port: int, auth: dict, load: Load) -> list[int]:
    """Acknowledged writes (201) that cannot be read back."""
    return [o.page_id for o in load.of("write") if o.status == 201
            and call(port, "GET", f"/api/pages/{o.page_id}", headers=auth)[0] != 200]


# --- Alertmanager's webhook receiver -------------------------------------------------------------------

class AlertSink:
    """An HTTP server on every address of this host that keeps what Alertmanager posts."""

    def __init__(self, port: int):
        self.received: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                sink.received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("0.0.0.0", port), Handler)  # containers reach the host's bridge address
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self) -> list[dict]:
        return [alert for post in self.received for alert in post.get("alerts", [])]

    def stop(self) -> None:
        self.server.shutdown()


def alertmanager_config(path: Path, port: int) -> Path:
    path.write_text(
        "route:\n  receiver: sink\n  group_by: [alertname, component]\n  group_wait: 1s\n  group_interval: 5s\n"
        "  repeat_interval: 1h\nreceivers:\n  - name: sink\n    webhook_configs:\n"
        f"      - url: http://host.containers.internal:{port}/alerts\n        send_resolved: true\n")
    os.chmod(path, 0o644)
    return path
