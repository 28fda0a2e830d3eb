"""`make run` (`python -m scripts.run` from the project root): services, migrations, demo data, then the whole stack in the foreground.

One port for the user (PORT, default 8000): nginx sends HTTP to granian (WSGI, the
fastest measured way to serve sync DRF views here; 2 single-threaded processes per core), sign-in
and sign-up to a granian of their own (an Argon2id hash never holds up the cheap requests), and
/ws/ to uvicorn (ASGI, Channels).
A Celery worker and beat run beside them. Ctrl-C (or SIGTERM) stops every process started here.
"Papyrus is serving …" is printed once /health/ready answers 200; a port already taken (PORT,
PG_PORT, REDIS_PORT) ends it before anything starts, with one line naming the variable.

What it serves is safe by default: settings.dev with DEBUG off (DJANGO_DEBUG=1 turns Django's
debug pages on, for browser paths only: API errors stay JSON), DJANGO_SECRET_KEY and
JWT_SECRET generated into var/secrets.env on the first run and reused (never the public
defaults), static files collected and served by WhiteNoise, nginx's own errors in JSON.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from dotenv import dotenv_values

from ops.metrics.multiproc import prepare_directory
from scripts import services

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
    # The largest header the app sends (a page list's Link with every filter at its longest in
    # 4-byte characters, ~18 KB) must fit: an upstream header beyond proxy_buffer_size is a 502.
    proxy_buffer_size 32k;
    proxy_buffers 8 32k;
    proxy_busy_buffers_size 64k;
    upstream papyrus_http {{ server 127.0.0.1:{http_port}; keepalive 64; }}
    upstream papyrus_signin {{ server 127.0.0.1:{signin_port}; keepalive 16; }}
    upstream papyrus_ws {{ server 127.0.0.1:{ws_port}; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
{error_pages}
        location /ws/ {{
            proxy_pass http://papyrus_ws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 1h;
        }}
        # Sign-in and sign-up hash a password (Argon2id, ~26 ms of CPU): their own granian, so that
        # the cheap requests never queue behind a hash inside a worker (docs/load-tests.md).
        location ~ ^/(api/auth/(login|register)|login/|register/)$ {{
            proxy_pass http://papyrus_signin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
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


# nginx's own error answers (bad request line, body or URI too big, app unreachable) in JSON,
# as the app answers: an API client never has to parse an HTML page. deploy/nginx/nginx.conf
# carries the same block.
ERRORS = {400: "Bad request", 405: "Method not allowed", 408: "Request timeout", 411: "Length required",
          413: "Request body too large", 414: "Request URI too long", 494: "Request headers too large",
          500: "Internal server error", 501: "Unsupported transfer encoding", 502: "Service unavailable",
          503: "Service unavailable", 504: "Service unavailable", 505: "Unsupported HTTP version"}


# A client's unsupported Transfer-Encoding (501) or HTTP version (505) is its error, not the
# server's: answered 400 so that 5xx rates and their alerts count only real server faults.
CLIENT_CAUSED = {501: 400, 505: 400}


def error_pages() -> str:
    lines = [f"        error_page {code} /_error/{code}.json;" for code in ERRORS if code not in CLIENT_CAUSED]
    lines += [f"        error_page {code} ={status} /_error/{code}.json;" for code, status in CLIENT_CAUSED.items()]
    lines.append("        location ^~ /_error/ {")
    lines.append("            internal;")
    lines.append("            default_type application/json;")
    # `return 200` in an error page keeps the original status (nginx uses err_status).
    lines += [f"            location = /_error/{code}.json {{ return 200 '{{\"message\": \"{text}\"}}\\n'; }}"
              for code, text in ERRORS.items()]
    lines.append("        }")
    return "\n".join(lines)


def nginx_config(var: Path, port: int, http_port: int, ws_port: int, signin_port: int) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        d = var / "nginx" / "tmp" / sub
        d.mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o777)  # workers drop to nobody when the master runs as root
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    conf = var / "nginx" / "nginx.conf"
    conf.write_text(NGINX_CONF.format(var=var, user=user, port=port, http_port=http_port, ws_port=ws_port,
                                      signin_port=signin_port, error_pages=error_pages()))
    return conf


WORKERS_PER_CORE = 2  # granian processes per core, one blocking thread each (docs/load-tests.md)


def cores() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the host's count)."""
    return len(os.sched_getaffinity(0))


def web_workers() -> int:
    """granian worker processes (WEB_WORKERS; default WORKERS_PER_CORE per core). Processes, not
    threads: on one pinned core two single-threaded processes held the client's flow at 0.67× the
    p95 of 2 × 4 threads and kept cheap reads beside Argon2id sign-ins at 0.63× the p99
    (bench.capacity, CAPACITY_MODES=models): threads of one process queue on the GIL behind
    CPU-bound requests, while the kernel time-slices processes."""
    return int(os.environ.get("WEB_WORKERS") or WORKERS_PER_CORE * cores())


def web_threads() -> int:
    """Blocking threads per granian worker (WEB_THREADS, default 1): see web_workers()."""
    return int(os.environ.get("WEB_THREADS") or 1)


SIGNIN_THREADS = 2  # argon2-cffi releases the GIL: two hashes at once in the sign-in process


def granian(port: int, *, workers: int, threads: int) -> list[str]:
    return [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws", "--respawn-failed-workers",
            "papyrus.wsgi:application"]


def web_commands(port: int, *, workers: int | None = None, threads: int | None = None) -> list[list[str]]:
    """The processes that serve PORT: front proxy, WSGI for HTTP, ASGI for WebSockets, and WSGI
    for sign-in and sign-up (one process of SIGNIN_THREADS threads)."""
    var = services.var_dir()
    http_port, ws_port, signin_port = services.free_port(), services.free_port(), services.free_port()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = nginx_config(var, port, http_port, ws_port, signin_port)
    return [
        [nginx, "-e", "stderr", "-c", str(conf), "-g", "daemon off;"],
        granian(http_port, workers=workers or web_workers(), threads=threads or web_threads()),
        [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(ws_port), "--no-access-log",
         "papyrus.asgi:application"],
        granian(signin_port, workers=1, threads=SIGNIN_THREADS),
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
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(services.var_dir() / "prometheus"))
    prepare_directory(env["PROMETHEUS_MULTIPROC_DIR"])


SECRET_NAMES = ("DJANGO_SECRET_KEY", "JWT_SECRET")


def local_secrets(var: Path) -> dict[str, str]:
    """DJANGO_SECRET_KEY and JWT_SECRET of this checkout: generated into var/secrets.env (0600)
    on the first run, read back afterwards, so tokens survive restarts and are never signed
    with a default that is public in the repository."""
    path = var / "secrets.env"
    found = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep and name.strip() in SECRET_NAMES and value.strip():
                found[name.strip()] = value.strip()
    missing = [name for name in SECRET_NAMES if name not in found]
    if missing:
        found.update({name: secrets.token_urlsafe(50) for name in missing})
        var.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("# Generated by `make run` (python -m scripts.run); delete to rotate.\n")
            out.writelines(f"{name}={found[name]}\n" for name in SECRET_NAMES)
    return found


def app_env(base: dict) -> dict:
    """The environment the processes of `make run` get: what the caller or .env set wins, the
    rest comes from var/ (secrets) and the defaults below."""
    env = dict(base)
    env.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")
    # nginx (one hop) sets X-Forwarded-For: rate limits count the real client, not nginx.
    env.setdefault("RATE_LIMIT_TRUSTED_PROXIES", "1")
    dotenv = dotenv_values(ROOT / ".env") if (ROOT / ".env").exists() else {}
    for name, value in local_secrets(services.var_dir()).items():
        if not env.get(name) and not dotenv.get(name):
            env[name] = value
    return env


def manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


READY_PATIENCE = 60  # s before saying that /health/ready still does not answer 200

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


def ready_status(url: str) -> int | None:
    """What `url` answers (None while nothing does)."""
    try:
        with _direct.open(url, timeout=2) as reply:
            return reply.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


class ServingNotice:
    """Prints `line` once `url` answers 200 (before that the first clicks would get nginx's 502),
    and says so once when that takes longer than READY_PATIENCE."""

    def __init__(self, url: str, line: str):
        self.url, self.line = url, line
        self.printed, self.warned, self.since = False, False, time.monotonic()

    def poll(self) -> None:
        if self.printed:
            return
        status = ready_status(self.url)
        if status == 200:
            print(self.line, flush=True)
            self.printed = True
        elif not self.warned and time.monotonic() - self.since > READY_PATIENCE:
            print(f"run: still waiting for {self.url} to answer 200 (now: {status or 'no answer'})",
                  file=sys.stderr, flush=True)
            self.warned = True


def supervise(commands: list[list[str]], env: dict, notice: ServingNotice) -> int:
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
        if not stopping:
            notice.poll()
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
    services.claim_port(port, "PORT", prog="run")

    def terminated(signum, _frame):  # before supervise(): unwind through `finally` like Ctrl-C
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminated)
    try:
        env = app_env(dict(os.environ, **services.cmd_start()))
        prepare_metrics_dir(env)
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)  # hashed + compressed, for WhiteNoise
        url = f"http://127.0.0.1:{port}"
        notice = ServingNotice(url + "/health/ready", f"Papyrus is serving {url}  (Ctrl-C stops everything)")
        return supervise(web_commands(port) + celery_commands(), env, notice)
    finally:
        services.cmd_stop()


if __name__ == "__main__":
    sys.exit(main())
