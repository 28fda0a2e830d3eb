"""`make ha-up` / `ha-down` / `ha-status`: Papyrus past one machine (deploy/ha/docker-compose.yml).

    python -m scripts.ha up        build the images, start the shape in stages, wait for /health/ready
    python -m scripts.ha down      stop it (volumes kept unless --clean / CLEAN=1)
    python -m scripts.ha status    `primary: NAME` (the Patroni leader's container), `redis master: NAME`
    python -m scripts.ha build | ps | logs SERVICE

Two web nodes (web + ASGI each) behind HAProxy on 127.0.0.1:HA_PORT (8081), a worker and a beat, a
three-member PostgreSQL cluster under Patroni (synchronous replication, etcd) with a PITR base-backup
worker beside each member, Redis with three Sentinels, moto's S3 for trials — each container
standing for a machine (docs/scaling.md). The images, the podman set-up and the staged start are
scripts/compose.py's; this file adds Patroni's, etcd's and HAProxy's images and
the order this shape starts in. Secrets: PAPYRUS_ENV_FILE, else var/ha/papyrus.env (generated once).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from scripts import compose

ROOT = compose.ROOT
HA_DIR = ROOT / "deploy" / "ha"
DEFAULT_PROJECT = "papyrus-ha"
# (variable, image, Containerfile, build args) on top of the single-host shape's images
IMAGES = [
    ("PATRONI_IMAGE", "localhost/papyrus-patroni:15", "patroni.Containerfile",
     {"POSTGRES_IMAGE": compose.APP_POSTGRES_IMAGE}),
    ("ETCD_IMAGE", "localhost/papyrus-etcd:3.4", "etcd.Containerfile", {}),
    ("HAPROXY_IMAGE", "localhost/papyrus-haproxy:2.6", "haproxy.Containerfile", {}),
]
MEMBERS = ("pg1", "pg2", "pg3")
ETCD = ("etcd1", "etcd2", "etcd3")
REDIS = ("redis1", "redis2", "redis3")
SENTINELS = ("sentinel1", "sentinel2", "sentinel3")
NODES = ("web1", "asgi1", "web2", "asgi2")
PITR_BASE = ("pitr-base1", "pitr-base2", "pitr-base3")  # beside pg1, pg2, pg3


def build_images() -> dict[str, str]:
    names = compose.build_images()
    for variable, name, containerfile, args in IMAGES:
        compose.build(name, compose.PODMAN_DIR / containerfile, compose.PODMAN_DIR, args)
        names[variable] = name
    return names


def env_file() -> Path:
    given = os.environ.get("PAPYRUS_ENV_FILE")
    if given:
        return Path(given)
    path = compose.var() / "ha" / "papyrus.env"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        values = compose.generated_env()  # with moto's S3 for trials (--profile local-s3), as compose-up's
        values["REPLICATION_PASSWORD"] = compose.secrets.token_urlsafe(24)
        compose.write_env(path, values)
    return path


def project_env(images: dict[str, str] | None = None) -> dict[str, str]:
    path = env_file()
    env = {**compose.podman_env(), **compose.read_env(path), "PAPYRUS_ENV_FILE": str(path.resolve()),
           "PAPYRUS_COMPOSE_FILE": str(HA_DIR / "docker-compose.yml"),
           "COMPOSE_PROJECT_NAME": os.environ.get("HA_PROJECT", DEFAULT_PROJECT)}
    env.update(images or {name: image for name, image in known_images().items()})
    env.update({k: v for k, v in os.environ.items() if k in ("HA_PORT", "HA_BIND", "WEB_WORKERS")})
    return env


def known_images() -> dict[str, str]:
    """The image variables without building (down, status, ps)."""
    names = {variable: name for variable, name, _, _ in compose.STAND_INS}
    names.update({variable: name for variable, name, _, _ in IMAGES})
    names["PAPYRUS_IMAGE"] = compose.APP_IMAGE
    return names


def port(env: dict[str, str]) -> int:
    return int(env.get("HA_PORT", 8081))


def container(env: dict[str, str], service: str) -> str:
    names = compose.containers(env, service)
    if not names:
        raise SystemExit(f"ha: no container for {service} (is the shape up? `make ha-up`)")
    return names[0]


def exec_out(env: dict[str, str], service: str, *cmd: str) -> str:
    done = compose.podman("exec", container(env, service), *cmd, check=False, capture=True)
    return done.stdout if done.returncode == 0 else ""


def patroni_cluster(env: dict[str, str]) -> dict:
    """Patroni's /cluster from the first member that answers ({} when none does)."""
    for member in MEMBERS:
        if not compose.containers(env, member):
            continue
        out = exec_out(env, member, "curl", "-fsS", "--max-time", "3", "http://127.0.0.1:8008/cluster")
        if out:
            return json.loads(out)
    return {}


def primary(env: dict[str, str]) -> str | None:
    """The service name (pg1...) of the running leader."""
    for member in patroni_cluster(env).get("members", []):
        if member.get("role") == "leader" and member.get("state") == "running":
            return member["name"]
    return None


def sync_standby(env: dict[str, str]) -> str | None:
    for member in patroni_cluster(env).get("members", []):
        if member.get("role") == "sync_standby" and member.get("state") in ("running", "streaming"):
            return member["name"]
    return None


def redis_master(env: dict[str, str]) -> str | None:
    """The service name (redis1...) of the master the first answering Sentinel names; None while that
    address is no running container's (a Sentinel still naming a master that died)."""
    for sentinel in SENTINELS:
        if not compose.containers(env, sentinel):
            continue
        out = exec_out(env, sentinel, "redis-cli", "-p", "26379", "sentinel", "get-master-addr-by-name", "papyrus")
        if not out.split():
            continue
        address = out.split()[0]
        for service in REDIS:
            for name in compose.containers(env, service):
                ips = compose.podman("inspect", "--format",
                                     "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", name,
                                     check=False, capture=True).stdout.split()
                if address in ips or address == service:
                    return service
        return None
    return None


def wait_for(what: str, probe, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    raise SystemExit(f"ha: {what} within {timeout:.0f} s failed (`python -m scripts.ha logs SERVICE`)")


def up() -> dict[str, str]:
    if not compose.shutil.which("podman"):  # with a Docker engine: docker compose -f deploy/ha/docker-compose.yml
        raise SystemExit("ha: podman is missing (scripts/install-system-deps.sh installs it); with a Docker engine "
                         "run `docker compose -f deploy/ha/docker-compose.yml up -d` instead")
    env = project_env(build_images())
    start_in_stages(env)
    compose.wait_ready(port(env))
    print(f"ha: serving http://127.0.0.1:{port(env)} (HAProxy; two web nodes, Patroni primary {primary(env)}, "
          f"Redis master {redis_master(env)})", flush=True)
    return env


def start_in_stages(env: dict[str, str]) -> None:
    """etcd and Redis with its Sentinels, then the PostgreSQL members (one becomes the primary and
    one its synchronous standby), the load balancer, migrations, and the nodes."""
    data = (*ETCD, *REDIS, *SENTINELS, *(("s3",) if compose.local_s3(env) else ()))
    compose.compose(env, "up", "-d", "--no-deps", *data)
    for service in data:
        compose.wait_healthy(env, service)
    compose.compose(env, "up", "-d", "--no-deps", *MEMBERS)
    wait_for("a Patroni primary", lambda: primary(env))
    wait_for("a synchronous standby", lambda: sync_standby(env))
    compose.compose(env, "up", "-d", "--no-deps", "lb")
    leader = primary(env)
    wait_for("the load balancer to reach the primary", lambda: compose.podman(
        "exec", container(env, leader), "pg_isready", "-q", "-h", "lb", "-p", "5432", check=False,
        capture=True).returncode == 0, timeout=60)
    jobs = ("migrate", *(("s3-init",) if compose.local_s3(env) else ()))
    compose.compose(env, "up", "-d", "--no-deps", "--force-recreate", *jobs)
    for job in jobs:
        compose.wait_exited_ok(env, job)
    compose.compose(env, "up", "-d", "--no-deps", "--force-recreate", *NODES, "worker", "beat", *PITR_BASE)
    for service in NODES:
        compose.wait_healthy(env, service)


def status(env: dict[str, str]) -> int:
    leader = primary(env)
    master = redis_master(env)
    print(f"primary: {container(env, leader) if leader else 'none'}")
    print(f"redis master: {container(env, master) if master else 'none'}")
    for member in patroni_cluster(env).get("members", []):
        print(f"  {member['name']}: {member.get('role')} {member.get('state')} lag={member.get('lag', 0)}")
    return 0 if leader and master else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.ha", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up")
    p_down = sub.add_parser("down")
    p_down.add_argument("--clean", action="store_true", default=os.environ.get("CLEAN") == "1")
    sub.add_parser("status")
    sub.add_parser("build")
    sub.add_parser("ps")
    p_logs = sub.add_parser("logs")
    p_logs.add_argument("service")
    args = parser.parse_args(argv)
    if args.command == "up":
        up()
    elif args.command == "down":
        compose.down(args.clean, project_env())
    elif args.command == "status":
        return status(project_env())
    elif args.command == "build":
        build_images()
    elif args.command == "ps":
        compose.compose(project_env(), "ps")
    elif args.command == "logs":
        compose.podman("logs", "--tail", "200", container(project_env(), args.service), check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
