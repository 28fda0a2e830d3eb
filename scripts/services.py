#!/usr/bin/env python3
"""Start PostgreSQL and Redis on loopback for `make run` and `make test`.

Stdlib only. PostgreSQL's initdb/pg_ctl refuse root, so as root they run as the
`postgres` user on a data directory it owns.

    services.py test -- CMD...   fresh throw-away PostgreSQL + Redis on free ports,
                                 DATABASE_URL/REDIS_URL exported to CMD, torn down after
    services.py start            the persistent ./var/ instances for `make run`
    services.py stop             stop them
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_USER = "papyrus"
DB_NAME = "papyrus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
        return True
    return False


def wait_port(port: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.05)
    raise SystemExit(f"services: {what} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


class Postgres:
    """One PostgreSQL cluster in `datadir`, listening on 127.0.0.1:`port`."""

    def __init__(self, datadir: Path, port: int, *, fast: bool = False):
        self.datadir = datadir
        self.port = port
        self.fast = fast  # test clusters trade durability for speed
        self.as_root = os.geteuid() == 0
        self.sockdir = datadir.parent / "pg-socket"

    @property
    def url(self) -> str:
        return f"postgres://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"

    def _run(self, *cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        if self.as_root:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, check=check, cwd="/", **kw)

    def _own(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    def start(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise SystemExit(f"services: PostgreSQL binaries not found in {PG_BIN} (set PG_BIN)")
        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.datadir.parent, 0o755)
        self._own(self.sockdir)
        if not (self.datadir / "PG_VERSION").exists():
            self._own(self.datadir)
            os.chmod(self.datadir, 0o700)
            self._run(str(PG_BIN / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", *(["-N"] if self.fast else []),
                      stdout=subprocess.DEVNULL)
        opts = f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 -c max_connections=300"
        if self.fast:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = self.datadir.parent / "postgres.log"
        self._own(log.parent)
        if self.as_root and not log.exists():
            log.touch()
            pw = pwd.getpwnam("postgres")
            os.chown(log, pw.pw_uid, pw.pw_gid)
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-l", str(log), "-o", opts,
                  "-w", "-t", "60", "start", stdout=subprocess.DEVNULL)
        self._ensure_role_and_db()

    def _psql(self, sql: str, db: str = "postgres") -> str:
        out = self._run("psql", "-h", str(self.sockdir), "-p", str(self.port), "-U", "postgres",
                        "-d", db, "-tAc", sql, capture_output=True, text=True)
        return out.stdout.strip()

    def _ensure_role_and_db(self) -> None:
        if not self._psql(f"SELECT 1 FROM pg_roles WHERE rolname='{DB_USER}'"):
            self._psql(f"CREATE ROLE {DB_USER} LOGIN CREATEDB")
        if not self._psql(f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'"):
            self._psql(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")

    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists() and port_open(self.port)

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop",
                      check=False, stdout=subprocess.DEVNULL)


class Redis:
    """One redis-server in `workdir`, listening on 127.0.0.1:`port`."""

    def __init__(self, workdir: Path, port: int, *, persistent: bool = True):
        self.workdir = workdir
        self.port = port
        self.persistent = persistent
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.workdir / "redis.pid"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if not exe:
            raise SystemExit("services: redis-server not installed (run scripts/install-system-deps.sh)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = [exe, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.workdir),
                "--pidfile", str(self.pidfile), "--logfile", str(self.workdir / "redis.log"),
                "--daemonize", "yes"]
        args += ["--appendonly", "yes"] if self.persistent else ["--save", "", "--appendonly", "no"]
        subprocess.run(args, check=True)
        wait_port(self.port, "redis")

    def running(self) -> bool:
        return self.pidfile.exists() and port_open(self.port)

    def stop(self) -> None:
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.05)


def var_dir() -> Path:
    return Path(os.environ.get("PAPYRUS_VAR", ROOT / "var"))


def local_services() -> tuple[Postgres, Redis]:
    var = var_dir()
    pg = Postgres(var / "postgres" / "data", int(os.environ.get("PG_PORT", 54329)))
    redis = Redis(var / "redis", int(os.environ.get("REDIS_PORT", 63790)))
    return pg, redis


def cmd_start() -> dict[str, str]:
    """Start what DATABASE_URL / REDIS_URL do not already point at; return env to export."""
    pg, redis = local_services()
    env = {}
    if not os.environ.get("DATABASE_URL"):
        if not pg.running():
            pg.start()
        env["DATABASE_URL"] = pg.url
    if not os.environ.get("REDIS_URL"):
        if not redis.running():
            redis.start()
        env["REDIS_URL"] = redis.url
    return env


def cmd_stop() -> None:
    pg, redis = local_services()
    redis.stop()
    pg.stop()


def cmd_test(argv: list[str]) -> int:
    """Run argv with a throw-away PostgreSQL and Redis; every run gets its own ports."""
    tmp = Path(tempfile.mkdtemp(prefix="papyrus-test-"))
    os.chmod(tmp, 0o755)  # the postgres user must reach its data dir
    pg = Postgres(tmp / "pg" / "data", free_port(), fast=True)
    redis = Redis(tmp / "redis", free_port(), persistent=False)
    try:
        pg.start()
        redis.start()
        env = dict(os.environ, DATABASE_URL=pg.url, REDIS_URL=redis.url,
                   PAPYRUS_TEST_TMP=str(tmp))
        return subprocess.call(argv, env=env)
    finally:
        redis.stop()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv[0] == "test":
        rest = argv[1:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        return cmd_test(rest or [sys.executable, "-m", "pytest"])
    if argv[0] == "start":
        for k, v in cmd_start().items():
            print(f"{k}={v}")
        return 0
    if argv[0] == "stop":
        cmd_stop()
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
