"""Three papyrus-redis "pods" on this machine, configured by the production overlay's redis-config.sh.

Run inside fresh network and mount namespaces (`unshare -n -m python -m tests.deploy.sentinel_pods
TMP`, as tests/deploy/test_kubernetes_redis.py does): each pod is 127.0.0.(2+N) with the
StatefulSet's DNS name in a private /etc/hosts, a `hostname -f` that answers that name, and the
script's ports 6379/26379. Pods start in order, as the StatefulSet's OrderedReady does; then the
master is killed, the Sentinels fail over, and pod 0 "restarts": its init script runs again and
must join the new master. Prints one JSON object with what it saw.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "kubernetes" / "overlays" / "production" / "redis-config.sh"
PASSWORD = "sentinel-pods-test-password"
DOMAIN = "papyrus-redis.papyrus.svc.cluster.local"


def fqdn(n: int) -> str:
    return f"papyrus-redis-{n}.{DOMAIN}"


def ip(n: int) -> str:
    return f"127.0.0.{2 + n}"


def cli(n: int, *args: str, port: int = 6379) -> str:
    auth = ["-a", PASSWORD, "--no-auth-warning"] if port == 6379 else []
    done = subprocess.run(["redis-cli", "-h", ip(n), "-p", str(port), *auth, *args],
                          capture_output=True, text=True, timeout=5)
    return done.stdout.strip()


def wait(predicate, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (subprocess.SubprocessError, OSError):
            value = None
        if value:
            return value
        time.sleep(0.2)
    return None


class Pod:
    def __init__(self, tmp: Path, n: int):
        self.n, self.dir = n, tmp / f"pod{n}"
        self.data, self.bin = self.dir / "data", self.dir / "bin"
        self.processes: list[subprocess.Popen] = []

    def init(self) -> str:
        """Run the init container's script; its log line."""
        self.bin.mkdir(parents=True, exist_ok=True)
        shim = self.bin / "hostname"
        shim.write_text(f"#!/bin/sh\necho {fqdn(self.n)}\n")
        shim.chmod(0o755)
        env = {**os.environ, "PATH": f"{self.bin}:{os.environ['PATH']}", "REDIS_PASSWORD": PASSWORD,
               "REDIS_DATA_DIR": str(self.data)}
        done = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def start(self) -> None:
        conf = self.data / "conf"
        sentinel = self.dir / "sentinel.conf"  # the container copies it to its own disk: Sentinel rewrites it
        sentinel.write_text((conf / "sentinel.conf").read_text().replace("dir /tmp", f"dir {self.dir}"))
        log = (self.dir / "log").open("a")
        self.processes = [
            subprocess.Popen(["redis-server", str(conf / "redis.conf"), "--bind", ip(self.n)], stdout=log,
                             stderr=log),
            subprocess.Popen(["redis-sentinel", str(sentinel), "--bind", ip(self.n)], stdout=log, stderr=log),
        ]
        assert wait(lambda: cli(self.n, "ping") == "PONG" and cli(self.n, "ping", port=26379) == "PONG")

    def kill(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


def master_seen_by(n: int) -> str:
    return cli(n, "sentinel", "get-master-addr-by-name", "papyrus", port=26379).split("\n")[0]


def replica_link(n: int) -> tuple[str, str]:
    info = dict(line.split(":", 1) for line in cli(n, "info", "replication").splitlines() if ":" in line)
    return info.get("master_host", ""), info.get("master_link_status", "")


def acquainted(n: int) -> bool:
    """Sentinel n knows the two other Sentinels and the two replicas."""
    others = cli(n, "sentinel", "sentinels", "papyrus", port=26379).count("runid")
    replicas = cli(n, "sentinel", "replicas", "papyrus", port=26379).count("runid")
    return others == 2 and replicas == 2


def main(tmp: Path) -> dict:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts = tmp / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "".join(f"{ip(n)} {fqdn(n)}\n" for n in range(3)))
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
    pods = [Pod(tmp, n) for n in range(3)]
    seen: dict = {"init": []}
    try:
        for pod in pods:
            seen["init"].append(pod.init())
            pod.start()
        seen["replicas_before"] = [wait(lambda n=n: replica_link(n)[1] == "up" and replica_link(n)) for n in (1, 2)]
        # a failover needs the Sentinels to know each other (hello messages every 2 s) and the replicas
        seen["sentinels_acquainted"] = all(wait(lambda n=n: acquainted(n)) for n in range(3))
        cli(0, "set", "papyrus:probe", "kept")
        cli(0, "wait", "2", "5000")
        pods[0].kill()
        seen["master_after"] = wait(lambda: (m := master_seen_by(1)) != fqdn(0) and m, seconds=60)
        seen["init"].append(pods[0].init())
        pods[0].start()
        seen["pod0_after_restart"] = wait(lambda: replica_link(0)[1] == "up" and replica_link(0))
        seen["value_on_pod0"] = wait(lambda: cli(0, "get", "papyrus:probe"))
        seen["master_seen_by_pod0"] = wait(lambda: master_seen_by(0) == seen["master_after"] and master_seen_by(0))
    finally:
        for pod in pods:
            pod.kill()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
