#!/usr/bin/env python3
"""`make run`: services, migrations, demo data, then the whole stack in the foreground.

One port for the user (PORT, default 8000): nginx sends HTTP to granian (WSGI, the
fastest measured way to serve sync DRF views here) and /ws/ to uvicorn (ASGI, Channels).
A Celery worker and beat run beside them. Ctrl-C stops every process started here.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import services  # noqa: E402

ROOT = services.ROOT
BIN = Path(sys.executable).parent

NGINX_CONF = """\
worker_processes 1;
pid {var}/nginx/nginx.pid;
error_log stderr warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {var}/nginx/tmp/body;
    proxy_temp_path {var}/nginx/tmp/proxy;
    fastcgi_temp_path {var}/nginx/tmp/fastcgi;
    uwsgi_temp_path {var}/nginx/tmp/uwsgi;
    scgi_temp_path {var}/nginx/tmp/scgi;
    client_max_body_size 3m;
    upstream papyrus_http {{ server 127.0.0.1:{http_port}; keepalive 64; }}
    upstream papyrus_ws {{ server 127.0.0.1:{ws_port}; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        location /ws/ {{
            proxy_pass http://papyrus_ws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 1h;
        }}
        location / {{
            proxy_pass http://papyrus_http;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}
}}
"""


def nginx_config(var: Path, port: int, http_port: int, ws_port: int) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        d = var / "nginx" / "tmp" / sub
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o777)  # workers drop to nobody when the master runs as root
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    conf = var / "nginx" / "nginx.conf"
    conf.write_text(NGINX_CONF.format(var=var, user=user, port=port, http_port=http_port, ws_port=ws_port))
    return conf


def web_threads() -> int:
    """Blocking threads per granian worker (WEB_THREADS). Several, so that a login's Argon2 hash
    (argon2-cffi releases the GIL) or a request waiting on PostgreSQL does not hold up the cheap
    requests queued behind it on the same worker: chosen on the k6 mix (docs/load-tests.md)."""
    return int(os.environ.get("WEB_THREADS", 4))


def web_commands(port: int, *, workers: int = 2, threads: int | None = None) -> list[list[str]]:
    """The processes that serve PORT: front proxy, WSGI for HTTP, ASGI for WebSockets."""
    var = services.var_dir()
    http_port, ws_port = services.free_port(), services.free_port()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = nginx_config(var, port, http_port, ws_port)
    return [
        [nginx, "-e", "stderr", "-c", str(conf), "-g", "daemon off;"],
        [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(http_port),
         "--workers", str(workers), "--blocking-threads", str(threads or web_threads()), "--no-ws", "--respawn-failed-workers",
         "papyrus.wsgi:application"],
        [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(ws_port), "--no-access-log",
         "papyrus.asgi:application"],
    ]


def celery_commands() -> list[list[str]]:
    var = services.var_dir()
    celery = str(BIN / "celery")
    return [
        [celery, "-A", "papyrus", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        [celery, "-A", "papyrus", "beat", "--loglevel", "INFO",
         "--schedule", str(var / "celerybeat-schedule")],
    ]


def prepare_metrics_dir(env: dict) -> None:
    """Prometheus multiprocess mode for every process started here, in a directory wiped now."""
    sys.path.insert(0, str(ROOT))
    from ops.metrics.multiproc import prepare_directory

    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(services.var_dir() / "prometheus"))
    prepare_directory(env["PROMETHEUS_MULTIPROC_DIR"])


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


def supervise(commands: list[list[str]], env: dict) -> int:
    """Run commands until Ctrl-C or until one of them dies; then stop them all."""
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True) for cmd in commands]
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for p in procs:
            if p.poll() is not None:
                print(f"run: {Path(p.args[0]).name} exited with {p.returncode}; stopping", file=sys.stderr)
                code, stopping = p.returncode or 1, True
        time.sleep(0.2)
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return code


def main() -> int:
    port = int(os.environ.get("PORT", 8000))
    if services.port_open(port):
        raise SystemExit(f"run: port {port} is already in use (set PORT=...)")
    env = dict(os.environ, **services.cmd_start())
    env.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    # nginx (one hop) sets X-Forwarded-For: rate limits count the real client, not nginx.
    env.setdefault("RATE_LIMIT_TRUSTED_PROXIES", "1")
    try:
        prepare_metrics_dir(env)
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", env=env)
        commands = web_commands(port) + celery_commands()
        print(f"Papyrus is serving http://127.0.0.1:{port}  (Ctrl-C stops everything)", flush=True)
        return supervise(commands, env)
    finally:
        services.cmd_stop()


if __name__ == "__main__":
    sys.exit(main())
