"""Start PostgreSQL and Redis on loopback for `make run` and `make test`.

Stdlib only. PostgreSQL's initdb/pg_ctl refuse root, so as root they run as the
`postgres` user on a data directory it owns.

    python -m scripts.services test -- CMD...   fresh throw-away PostgreSQL + Redis on free
                                                ports, DATABASE_URL/REDIS_URL exported to CMD,
                                                torn down after
    python -m scripts.services start            the persistent ./var/ instances for `make run`
                                                (PG_PORT 54329, REDIS_PORT 63790)
    python -m scripts.services stop             stop them
"""
from __future__ import annotations

import contextlib
import ctypes
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


def claim_port(port: int, variable: str, prog: str = "services") -> None:
    """Exit with a one-line hint when something already listens on `port` (`variable` moves it)."""
    if port_open(port):
        raise SystemExit(f"{prog}: port {port} is already in use (set {variable}=...)")


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
    """Start what DATABASE_URL / REDIS_URL do not already point at; return env to export.
    A port another program holds (PG_PORT, REDIS_PORT) stops it before anything starts."""
    pg, redis = local_services()
    wanted = [(name, service, variable) for name, service, variable in
              (("DATABASE_URL", pg, "PG_PORT"), ("REDIS_URL", redis, "REDIS_PORT")) if not os.environ.get(name)]
    to_start = [(service, variable) for _, service, variable in wanted if not service.running()]
    for service, variable in to_start:
        claim_port(service.port, variable)
    for service, _ in to_start:
        service.start()
    return {name: service.url for name, service, _ in wanted}


def cmd_stop() -> None:
    pg, redis = local_services()
    redis.stop()
    pg.stop()


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while no child was running: unwind through the cleanup like Ctrl-C."""


CHILD_GRACE = float(os.environ.get("PAPYRUS_CHILD_GRACE", 30))  # s a signalled child may tear down


def become_subreaper() -> bool:
    """Make orphaned descendants (servers a killed test started in their own sessions) our
    children instead of init's, so stop_orphans() can find and stop them. Linux only."""
    pr_set_child_subreaper = 36
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0) == 0
    return False


def _children() -> list[int]:
    """Pids whose parent is this process (read from /proc: no psutil in a stdlib script)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
            if int(fields[1]) == me and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _signal_tree(pid: int, sig: int) -> None:
    """`sig` to pid's whole process group when it leads its own group, else to pid alone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        group = os.getpgid(pid)
        if group != os.getpgrp():
            os.killpg(group, sig)
        else:
            os.kill(pid, sig)


def stop_orphans(timeout: float = 15.0) -> None:
    """SIGTERM every process group of our leftover children, SIGKILL what outlives `timeout`."""
    orphans = _children()
    for pid in orphans:
        _signal_tree(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while orphans and time.monotonic() < deadline:
        time.sleep(0.1)
        _reap()
        orphans = _children()
    for pid in orphans:
        _signal_tree(pid, signal.SIGKILL)
    time.sleep(0.1)
    _reap()


def run_child(argv: list[str], env: dict) -> int:
    """argv in the foreground. SIGTERM is passed on as SIGINT (Ctrl-C: pytest tears its fixtures
    down); a child still running CHILD_GRACE s after a signal gets SIGTERM, then SIGKILL."""
    signalled: list[float] = []
    terminated = []
    child = None

    def on_signal(signum, _frame):
        if not signalled:
            signalled.append(time.monotonic())
        if signum == signal.SIGTERM:
            terminated.append(signum)
            if child is not None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGINT)  # a terminal's Ctrl-C reaches the child by itself

    # Handled before the child starts: exec resets a handled signal to its default in the child, so it
    # takes the forwarded SIGINT as Ctrl-C even when this process started with SIGINT ignored (a shell's
    # background job, `nohup`), which it would otherwise inherit.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    child = subprocess.Popen(argv, env=env)
    if terminated:  # SIGTERM came while it started
        child.send_signal(signal.SIGINT)
    escalation = iter((signal.SIGTERM, signal.SIGKILL))
    while True:
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if signalled and time.monotonic() - signalled[0] > CHILD_GRACE:
                with contextlib.suppress(ProcessLookupError, StopIteration):
                    child.send_signal(next(escalation))
                signalled[0] = time.monotonic() - CHILD_GRACE + 5
    if terminated and code <= 0:  # a terminated run never reports success
        return 128 + signal.SIGTERM
    return code


def cmd_test(argv: list[str]) -> int:
    """Run argv with a throw-away PostgreSQL and Redis; every run gets its own ports.

    Ctrl-C and SIGTERM (a CI timeout, `kill`) both end in the same cleanup: the child is
    interrupted, whatever it left running is stopped, then Redis, PostgreSQL and the temp dir go.
    """
    def terminated(signum, _frame):
        raise Terminated(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminated)
    tmp = Path(tempfile.mkdtemp(prefix="papyrus-test-"))
    os.chmod(tmp, 0o755)  # the postgres user must reach its data dir
    pg = Postgres(tmp / "pg" / "data", free_port(), fast=True)
    redis = Redis(tmp / "redis", free_port(), persistent=False)
    try:
        pg.start()
        redis.start()
        # After the daemons detached: only what the child leaves behind is adopted.
        become_subreaper()
        env = dict(os.environ, DATABASE_URL=pg.url, REDIS_URL=redis.url,
                   PAPYRUS_TEST_TMP=str(tmp))
        return run_child(argv, env)
    except Terminated:
        return 128 + signal.SIGTERM
    finally:
        # No second signal may cut the cleanup short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_orphans()
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
