"""Real Redis topologies for tests, from Debian's redis-server / redis-sentinel / redis-cli.

    RedisServer(workdir)                      one server on a free port (kill/restart it)
    SentinelSetup(workdir)                    1 master, 1 replica, 3 sentinels; kill_master() fails over
    ClusterSetup(workdir)                     3 masters, slots spread by `redis-cli --cluster create`

All listen on 127.0.0.1, free ports, files under `workdir`; `stop()` ends every process
started here (by pid). A missing binary raises: tests must fail, not skip.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import redis

from scripts.services import free_port
from tests.support import wait

MASTER_NAME = "mymaster"


def _exe(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} is not installed (scripts/install-system-deps.sh installs it)")
    return path


def wait_until(predicate, what: str, timeout: float = 30.0, interval: float = 0.1):
    """tests.support.wait.wait_until with Redis errors meaning "not yet" (servers starting, failing over)."""
    return wait.wait_until(predicate, what, timeout=timeout, interval=interval, ignore=(redis.RedisError, OSError))


class RedisServer:
    """One redis-server process in the foreground (so it can be killed by pid and restarted)."""

    def __init__(self, workdir: Path, *, port: int | None = None, password: str = "", extra: list[str] | None = None):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.password = password
        self.extra = list(extra or [])
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **kw) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password or None,
                           socket_timeout=2, **kw)

    def command(self) -> list[str]:
        args = [_exe("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.workdir),
                "--save", "", "--appendonly", "no", "--logfile", str(self.workdir / "redis.log")]
        if self.password:
            args += ["--requirepass", self.password, "--masterauth", self.password]
        return args + self.extra

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        wait_until(lambda: self.client().ping(), f"redis-server on {self.port}")
        return self

    def kill(self) -> None:
        """SIGKILL: the server dies as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class SentinelSetup:
    """A master, `replicas` replicas and three sentinels watching MASTER_NAME (quorum 2)."""

    def __init__(self, workdir: Path, *, replicas: int = 1, down_after_ms: int = 1000):
        self.workdir = Path(workdir)
        self.down_after_ms = down_after_ms
        self.master = RedisServer(self.workdir / "master")
        self.replicas = [RedisServer(self.workdir / f"replica{i}", extra=["--replicaof", "127.0.0.1",
                                                                         str(self.master.port)])
                         for i in range(replicas)]
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.sentinels: list[subprocess.Popen] = []

    @property
    def servers(self) -> list[RedisServer]:
        return [self.master, *self.replicas]

    @property
    def nodes(self) -> str:
        """REDIS_SENTINEL_NODES."""
        return ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)

    def _sentinel_config(self, port: int) -> Path:
        d = self.workdir / f"sentinel{port}"
        d.mkdir(parents=True, exist_ok=True)
        conf = d / "sentinel.conf"
        conf.write_text("\n".join([
            f"port {port}", "bind 127.0.0.1", f"dir {d}", f"logfile {d / 'sentinel.log'}",
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master.port} 2",
            f"sentinel down-after-milliseconds {MASTER_NAME} {self.down_after_ms}",
            f"sentinel failover-timeout {MASTER_NAME} 10000",
            f"sentinel parallel-syncs {MASTER_NAME} 1", ""]))
        return conf

    def start(self) -> SentinelSetup:
        for server in self.servers:
            server.start()
        for port in self.sentinel_ports:
            self.sentinels.append(subprocess.Popen([_exe("redis-sentinel"), str(self._sentinel_config(port))],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                                   start_new_session=True))
        wait_until(self._replicas_in_sync, "replicas to sync")
        wait_until(self._sentinels_agree, "sentinels to see the replicas and each other")
        return self

    def sentinel_client(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, decode_responses=True)

    def _replicas_in_sync(self) -> bool:
        info = self.master.client().info("replication")
        online = [v for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
                  and v.get("state") == "online"]
        return len(online) == len(self.replicas)

    def _sentinels_agree(self) -> bool:
        for port in self.sentinel_ports:
            master = self.sentinel_client(port).sentinel_master(MASTER_NAME)
            if master["num-slaves"] < len(self.replicas) or master["num-other-sentinels"] < 2:
                return False
        return True

    def master_port(self) -> int:
        host, port = self.sentinel_client(self.sentinel_ports[0]).sentinel_get_master_addr_by_name(MASTER_NAME)
        return int(port)

    def kill_master(self) -> None:
        """Crash the current master (no restart): the sentinels promote a replica."""
        port = self.master_port()
        victim = next(s for s in self.servers if s.port == port)
        victim.kill()
        self.killed = victim

    def wait_failover(self, old_port: int, timeout: float = 60.0) -> int:
        """Wait until every sentinel names a new, writable master; its port."""
        def promoted():
            ports = {int(self.sentinel_client(p).sentinel_get_master_addr_by_name(MASTER_NAME)[1])
                     for p in self.sentinel_ports}
            if len(ports) != 1 or old_port in ports:
                return None
            port = ports.pop()
            role = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2).info("replication")["role"]
            return port if role == "master" else None

        return wait_until(promoted, "sentinel failover", timeout=timeout)

    def stop(self) -> None:
        for proc in self.sentinels:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.sentinels:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in self.servers:
            server.stop()


class ClusterSetup:
    """Three cluster-enabled masters (no replicas), slots assigned by redis-cli --cluster create."""

    def __init__(self, workdir: Path, *, size: int = 3):
        self.workdir = Path(workdir)
        self.servers = []
        for i in range(size):
            # cluster-port: the bus port is chosen free too (the default port+10000 may be taken).
            self.servers.append(RedisServer(self.workdir / f"node{i}", extra=[
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000", "--cluster-port", str(free_port())]))

    @property
    def nodes(self) -> str:
        """REDIS_CLUSTER_NODES."""
        return ",".join(f"127.0.0.1:{s.port}" for s in self.servers)

    def start(self) -> ClusterSetup:
        for server in self.servers:
            server.start()
        subprocess.run([_exe("redis-cli"), "--cluster", "create", *(f"127.0.0.1:{s.port}" for s in self.servers),
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True, timeout=60)
        wait_until(self._ready, "cluster_state:ok on every node")
        return self

    def _ready(self) -> bool:
        for server in self.servers:
            info = server.client().cluster("info")
            state = info.get("cluster_state") if isinstance(info, dict) else None
            if state is None:
                text = info.decode() if isinstance(info, bytes) else str(info)
                state = "ok" if "cluster_state:ok" in text else "fail"
            if state != "ok":
                return False
        return True

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
