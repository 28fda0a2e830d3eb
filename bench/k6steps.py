"""Where the client's CPU goes: each step of the original client's k6 flow, in process.

bench.capacity and bench.k6mix measure the whole stack's CPU per request; this module says which
request costs what in the web process itself. One process runs settings.prod's WSGI application
the way granian calls it (environ in, body iterated, closed), the operations layer as production
runs it (metrics, JSON logs at info, request ids; rate limiting off as in bench.k6mix), over
500 public pages (as scripts.loadtest seeds), and walks ITERATIONS times the original client's
iteration (bench/clientflow.lua) as one signed-in user whose cookie every /api/ request carries:
GET /health, the page list, create (in the user's team), read, patch, delete, a search, the
user's teams — plus the anonymous browse of the guide's Artillery scenarios (list, first page,
search) and a read of the deleted page (→ 404). Per step: the process' CPU time (every thread) per
request and the SQL statements it sent; the baseline is the anonymous cached page read, measured
in the same iterations. No Celery worker runs beside it, so GET /health answers 503 after the
same checks.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ITERATIONS = int(os.environ.get("K6STEPS_ITERATIONS", 300))
# (step, signed in): the client's iteration, then the anonymous browse and the deleted read.
FLOW = (("GET /health", False), ("GET /api/pages", True), ("POST /api/pages", True),
        ("GET /api/pages/{new}", True), ("PATCH /api/pages/{new}", True), ("DELETE /api/pages/{new}", True),
        ("GET /api/search?q=test&limit=10", True), ("GET /api/teams", True),
        ("GET /api/pages", False), ("GET /api/pages/{first}", False), ("GET /api/search?q=test&limit=10", False),
        ("GET /api/pages/{new} (404)", True))
STEPS = tuple(f"{step}{'' if signed_in or step == 'GET /health' else ' anonymous'}" for step, signed_in in FLOW)
BASELINE = "GET /api/pages/{first} anonymous"
PASSWORD = "LoadTest123!"


def run() -> list[dict]:
    from bench.serving import server_env
    from tests.support.live import ROOT, base_env

    workdir = os.environ.get("PAPYRUS_TEST_TMP") or "/tmp"
    env = base_env(**server_env(Path(workdir) / f"k6steps-{os.getpid()}"), LOG_LEVEL="info",
                   ENABLE_PROMETHEUS="true", PROMETHEUS_MULTIPROC_DIR=str(Path(workdir) / f"k6steps-prom-{os.getpid()}"))
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "bench.k6steps"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"bench.k6steps worker failed:\n{done.stderr[-3000:]}")
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    base = steps[BASELINE]["cpu_us"]
    return [{"name": f"k6 step {step}, in process ({data['queries']:.2f} SQL)", "figure": round(data["cpu_us"]),
             "unit": "µs CPU", "baseline": round(base), "baseline_name": f"cached {BASELINE}",
             "ratio": round(data["cpu_us"] / base, 2)} for step, data in steps.items()]


# --- the worker (python -m bench.k6steps, settings.prod) ----------------------------------------

def _worker() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench import wsgi

    call_command("migrate", "--noinput", verbosity=0)
    app = get_wsgi_application()

    def call(method: str, path: str, body: dict | None = None, cookie: str = "") -> tuple[int, list, bytes]:
        raw = json.dumps(body).encode() if body is not None else b""
        return wsgi.call(app, method, path, body=raw, cookie=cookie)

    def expect(status: int, answer: tuple) -> tuple:
        if answer[0] != status:
            raise RuntimeError(f"expected {status}, got {answer[0]}: {answer[2][:300]!r}")
        return answer

    email = f"k6steps-{secrets.token_hex(4)}@example.com"
    expect(201, call("POST", "/api/auth/register", {"email": email, "password": PASSWORD, "name": "k6 steps"}))
    _, headers, _ = expect(200, call("POST", "/api/auth/login", {"email": email, "password": PASSWORD}))
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    team = json.loads(expect(201, call("POST", "/api/teams", {"name": f"k6 {secrets.token_hex(3)}"}, cookie))[2])["id"]
    call_command("seed_demo", "--pages", "500", verbosity=0)  # as scripts.loadtest: the list, read, search

    cpu = dict.fromkeys(STEPS, 0.0)
    queries = dict.fromkeys(STEPS, 0)
    sent = []

    def count(execute, sql, params, many, context):
        sent.append(1)
        return execute(sql, params, many, context)
    for it in range(ITERATIONS):
        state: dict = {}
        for step, (request, signed_in) in zip(STEPS, FLOW):
            method, _, path = request.partition(" ")
            path = path.replace(" (404)", "").format(**state)
            body = {"POST": {"title": f"k6 page {it}", "content": "Load testing content", "tags": ["k6", "test"],
                             "teamId": team},
                    "PATCH": {"content": f"Updated {it}"}}.get(method)
            sent.clear()
            with connection.execute_wrapper(count):
                began = time.process_time()
                answer = call(method, path, body, cookie if signed_in else "")
                cpu[step] += time.process_time() - began
            queries[step] += len(sent)
            if step != "GET /health" or answer[0] != 503:
                expect({"POST": 201, "DELETE": 204}.get(method, 404 if "(404)" in step else 200), answer)
            if step == "GET /api/pages anonymous":
                state["first"] = json.loads(answer[2])[0]["id"]
            elif method == "POST":
                state["new"] = json.loads(answer[2])["id"]
    print(json.dumps({step: {"cpu_us": cpu[step] * 1e6 / ITERATIONS, "queries": queries[step] / ITERATIONS}
                      for step in STEPS}))


if __name__ == "__main__":
    _worker()
