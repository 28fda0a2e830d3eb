"""`make loadtest` (`python -m scripts.loadtest`): the production-shape stack on a throw-away database, then Artillery.

Run under `python -m scripts.services test` (DATABASE_URL/REDIS_URL exported). Production
settings, the web processes of `make run` (nginx → granian WSGI), rate limiting off.
PROFILE=short (default) or full; the JSON report lands in reports/.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from scripts import run, services

ROOT = services.ROOT


def production_env(**extra) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "RATE_LIMIT_ENABLED": "false",
        "REGISTRATION": "open",  # settings.prod defaults to invite; the load clients sign up per virtual user
        "BACKUP_ENABLED": "false",
        "LOG_DIR": str(Path(os.environ.get("PAPYRUS_TEST_TMP", ROOT / "var")) / "loadtest-logs"),
    })
    env.update(extra)
    return env


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"loadtest: {url} did not answer")


def start_stack(env: dict, port: int, workers: int, *, threads: int | None = None,
                cpus: set[int] | None = None) -> list[subprocess.Popen]:
    """Migrate, seed and start the web processes and the worker of `make run`; return them
    (nginx, granian, uvicorn, the sign-in granian, Celery worker). `cpus` binds them and their
    children to those CPUs."""
    run.manage("migrate", "--noinput", "-v0", env=env)
    run.manage("seed_demo", "--pages", "500", env=env)
    worker = run.celery_commands()[0]  # /health counts a Celery worker
    log_path = ROOT / "reports" / "loadtest-stack.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")  # server output, kept for a failed run
    bind = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
                              preexec_fn=bind)
             for cmd in [*run.web_commands(port, workers=workers, threads=threads), worker]]
    wait_http(f"http://127.0.0.1:{port}/health/live")
    return procs


def stop_stack(procs: list[subprocess.Popen]) -> None:
    """Stop every process group started by start_stack (nginx, granian, uvicorn and Celery
    workers with their children); a group still there after 15 s is killed."""
    for p in procs:
        _signal_group(p, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(p, signal.SIGKILL)  # children left behind by a leader that exited
        p.wait()


def _signal_group(p: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(p.pid, sig)  # start_new_session=True: the group id is the leader's pid
    except ProcessLookupError:
        pass


def artillery(base_url: str, profile: str, report: Path, overrides: str | None = None,
              cpus: set[int] | None = None) -> int:
    """Artillery's scripts/artillery-test.yml against `base_url` (bound to `cpus` when given)."""
    report.parent.mkdir(parents=True, exist_ok=True)
    bind = ["taskset", "-c", ",".join(map(str, sorted(cpus)))] if cpus else []
    cmd = [*bind, "npx", "--no-install", "artillery", "run", "-e", profile, "--output", str(report)]
    if overrides:
        cmd += ["--overrides", overrides]
    cmd.append(str(ROOT / "scripts" / "artillery-test.yml"))
    return subprocess.call(cmd, cwd=ROOT, env=dict(os.environ, BASE_URL=base_url))


def main() -> int:
    profile = os.environ.get("PROFILE", "short")
    workers = run.web_workers()
    port = services.free_port()
    env = production_env()
    procs = start_stack(env, port, workers)
    try:
        report = ROOT / "reports" / f"artillery-{profile}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        code = artillery(f"http://127.0.0.1:{port}", profile, report)
        print(f"loadtest: report written to {report.relative_to(ROOT)}")
        return code
    finally:
        stop_stack(procs)


if __name__ == "__main__":
    sys.exit(main())
