"""`make compose-up` / `compose-down` / `compose-build`: the production shape of docker-compose.yml.

    python -m scripts.compose up [--scale web=2]   build what cannot be pulled, start, wait for /health/ready
    python -m scripts.compose down [--clean]       stop (volumes kept unless --clean / CLEAN=1)
    python -m scripts.compose build                only the images
    python -m scripts.compose ps | logs SERVICE

Stdlib only. With a Docker engine it is `docker compose` with the official images. Without one
(this project's machines), Debian's podman runs the same docker-compose.yml through podman-compose:
no registry is reachable there, so the images the file would pull are built here instead —
a Debian 12 root file system made once with debootstrap (cached as var/images/debian-bookworm.tar),
imported, and the stand-ins of deploy/podman/*.Containerfile built on it; their names go into the
*_IMAGE variables the compose file reads. podman keeps its images, containers and volumes under
var/podman/ (CONTAINERS_STORAGE_CONF), runs containers with runc and cgroupfs and with ulimits no
higher than this process's own (CONTAINERS_CONF), which is what this sandboxed kernel allows.

Secrets: .env (or PAPYRUS_ENV_FILE) when present; otherwise var/compose/papyrus.env is generated once
(random passwords and keys, moto's S3 for the off-site copy) and reused.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from scripts import services

ROOT = services.ROOT
PODMAN_DIR = ROOT / "deploy" / "podman"
MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
CA_BUNDLE = Path(os.environ.get("PAPYRUS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
BASE_IMAGE = "localhost/papyrus-debian:bookworm"
# (variable the compose file reads, image name, Containerfile, build args): the stand-ins for the
# official images, built in this order (the python image is the base of the moto one).
STAND_INS = [
    ("PYTHON_IMAGE", "localhost/papyrus-python:3.11-bookworm", "python.Containerfile", {}),
    ("POSTGRES_IMAGE", "localhost/papyrus-postgres-base:15-bookworm", "postgres.Containerfile", {}),
    ("REDIS_IMAGE", "localhost/papyrus-redis:bookworm", "redis.Containerfile", {}),
    ("NGINX_IMAGE", "localhost/papyrus-nginx:bookworm", "nginx.Containerfile", {}),
    ("PROMETHEUS_IMAGE", "localhost/papyrus-prometheus:bookworm", "prometheus.Containerfile", {}),
    ("S3_IMAGE", "localhost/papyrus-s3:moto", "s3.Containerfile",
     {"PYTHON_IMAGE": "localhost/papyrus-python:3.11-bookworm"}),
]
APP_IMAGE = "localhost/papyrus:latest"
APP_POSTGRES_IMAGE = "localhost/papyrus-postgres:15"
DEFAULT_PROJECT = "papyrus"


# --- podman's own configuration, under var/ --------------------------------------------------------

def var() -> Path:
    return services.var_dir()


def podman_env() -> dict[str, str]:
    """The environment every podman and podman-compose call gets: storage and engine settings in var/."""
    conf = var() / "podman"
    conf.mkdir(parents=True, exist_ok=True)
    nofile, nproc = ulimits()
    (conf / "containers.conf").write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n')
    (conf / "storage.conf").write_text(
        "[storage]\n"
        'driver = "overlay"\n'
        f'graphroot = "{conf / "storage"}"\n'
        f'runroot = "{conf / "run"}"\n')
    return {**os.environ, "CONTAINERS_CONF": str(conf / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(conf / "storage.conf")}


def podman(*args: str, check: bool = True, capture: bool = False, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], env=podman_env(), check=check, text=True,
                          capture_output=capture, **kw)


def image_exists(name: str) -> bool:
    return podman("image", "exists", name, check=False).returncode == 0


def ulimits() -> tuple[int, int]:
    """(nofile, nproc) for containers: this process's open-files limit, at most 4,096 processes
    (runc is refused anything higher in this sandbox, whatever /proc/self/limits says: measured)."""
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0], min(resource.getrlimit(resource.RLIMIT_NPROC)[0], 4096)


def ulimit_args() -> list[str]:
    """podman build takes no default ulimits from containers.conf: the same values, explicitly."""
    nofile, nproc = ulimits()
    return ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", f"nproc={nproc}:{nproc}"]


# --- images ----------------------------------------------------------------------------------------

# Like Debian's slim images: no documentation, manuals or translations, no package cache.
DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
"""
APT_CLEAN = 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };\n'
SOURCES = f"""\
deb {MIRROR} bookworm main
deb {MIRROR} bookworm-updates main
deb {MIRROR.replace('/debian', '/debian-security')} bookworm-security main
"""


def base_tarball() -> Path:
    """var/images/debian-bookworm.tar: a debootstrap minbase of Debian 12, trimmed, made once."""
    tar = var() / "images" / "debian-bookworm.tar"
    if tar.exists():
        return tar
    if not shutil.which("debootstrap"):
        raise SystemExit("compose: debootstrap is missing (scripts/install-system-deps.sh installs it)")
    tar.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tar.parent) as tmp:
        rootfs = Path(tmp) / "rootfs"
        print(f"compose: building the Debian 12 base with debootstrap from {MIRROR} (once; ~1 min)", flush=True)
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), MIRROR], check=True,
                       stdout=subprocess.DEVNULL)
        (rootfs / "etc/apt/sources.list").write_text(SOURCES)
        (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(DPKG_EXCLUDES)
        (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(APT_CLEAN)
        for junk in ("var/cache/apt", "var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale",
                     "usr/share/info"):
            shutil.rmtree(rootfs / junk, ignore_errors=True)
        (rootfs / "var/lib/apt/lists/partial").mkdir(parents=True)
        (rootfs / "var/cache/apt/archives/partial").mkdir(parents=True)
        partial = tar.with_suffix(".tar.partial")
        subprocess.run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."], check=True)
        partial.rename(tar)
    return tar


def build(name: str, containerfile: Path, context: Path, args: dict[str, str]) -> None:
    """podman build (layer cache: quick when nothing changed); the CA bundle only as a build secret."""
    cmd = ["build", "-q", "-t", name, "-f", str(containerfile), *ulimit_args(),
           "--label", f"org.opencontainers.image.source-hash={source_hash(containerfile)}"]
    if CA_BUNDLE.exists():
        cmd += ["--secret", f"id=ca_bundle,src={CA_BUNDLE}"]
    for key, value in args.items():
        cmd += ["--build-arg", f"{key}={value}"]
    started = time.monotonic()
    done = podman(*cmd, str(context), capture=True, check=False)
    if done.returncode:
        raise SystemExit(f"compose: building {name} failed:\n{(done.stdout + done.stderr)[-4000:]}")
    print(f"compose: built {name} ({time.monotonic() - started:.0f} s)", flush=True)


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build_images() -> dict[str, str]:
    """Every image the shape needs under podman; returns the *_IMAGE variables naming them."""
    if not image_exists(BASE_IMAGE):
        tar = base_tarball()
        podman("import", "--message", "debootstrap bookworm minbase", str(tar), BASE_IMAGE, capture=True)
    names = {}
    for variable, name, containerfile, args in STAND_INS:
        build(name, PODMAN_DIR / containerfile, PODMAN_DIR, args)
        names[variable] = name
    names["ALERTMANAGER_IMAGE"] = names["PROMETHEUS_IMAGE"]
    build(APP_IMAGE, ROOT / "Dockerfile", ROOT, {"PYTHON_IMAGE": names["PYTHON_IMAGE"]})
    build(APP_POSTGRES_IMAGE, ROOT / "deploy" / "postgres" / "Dockerfile", ROOT / "deploy" / "postgres",
          {"POSTGRES_IMAGE": names["POSTGRES_IMAGE"]})
    names["PAPYRUS_IMAGE"] = APP_IMAGE
    names["PAPYRUS_POSTGRES_IMAGE"] = APP_POSTGRES_IMAGE
    return names


# --- the compose project -----------------------------------------------------------------------------

def docker_engine() -> bool:
    return bool(shutil.which("docker")) and subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def env_file() -> Path:
    """.env / PAPYRUS_ENV_FILE, else var/compose/papyrus.env generated once (secrets, local S3)."""
    given = os.environ.get("PAPYRUS_ENV_FILE")
    if given:
        return Path(given)
    if (ROOT / ".env").exists():
        return ROOT / ".env"
    path = var() / "compose" / "papyrus.env"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_env(path, generated_env())
    return path


def generated_env() -> dict[str, str]:
    """Fresh secrets and the local trial's settings (plain HTTP on loopback, moto's S3)."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "JWT_SECRET": secrets.token_urlsafe(48),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24), "REDIS_PASSWORD": secrets.token_urlsafe(24),
        "GRAFANA_ADMIN_PASSWORD": secrets.token_urlsafe(18),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # no TLS terminator in front on loopback
        # the off-site copy in moto's S3 server (--profile local-s3)
        "BACKUP_S3_BUCKET": "papyrus-backups", "AWS_S3_ENDPOINT_URL": "http://s3:5000",
        "AWS_ACCESS_KEY_ID": "papyrus-local", "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(24),
        "AWS_REGION": "us-east-1",
    }


def write_env(path: Path, values: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# Generated by scripts/compose.py for `make compose-up`; kept and reused.\n")
        f.writelines(f"{k}={v}\n" for k, v in values.items())


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def project_env(images: dict[str, str] | None = None) -> dict[str, str]:
    """What podman-compose interpolates docker-compose.yml with: the env file, the image names, ports."""
    path = env_file()
    env = {**podman_env(), **read_env(path), "PAPYRUS_ENV_FILE": str(path.resolve())}
    env.update(images or {})
    env.update({k: v for k, v in os.environ.items() if k.endswith(("_PORT", "_IMAGE")) or k == "COMPOSE_BIND"})
    env.setdefault("COMPOSE_PROJECT_NAME", os.environ.get("COMPOSE_PROJECT_NAME", DEFAULT_PROJECT))
    return env


def compose_cmd(env: dict[str, str], *args: str) -> list[str]:
    base = [str(Path(sys.executable).parent / "podman-compose"), "-p", env["COMPOSE_PROJECT_NAME"],
            "-f", env.get("PAPYRUS_COMPOSE_FILE") or str(ROOT / "docker-compose.yml")]
    if local_s3(env):
        base += ["--profile", "local-s3"]
    return [*base, *args]


def local_s3(env: dict[str, str]) -> bool:
    return env.get("AWS_S3_ENDPOINT_URL", "").startswith("http://s3:")


def compose(env: dict[str, str], *args: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(compose_cmd(env, *args), env=env, cwd=ROOT, check=check, text=True,
                          capture_output=capture)


def wait_ready(port: int, timeout: float = 300) -> None:
    url = f"http://127.0.0.1:{port}/health/ready"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"compose: {url} did not answer 200 within {timeout:.0f} s "
                     f"(`python -m scripts.compose ps`, `python -m scripts.compose logs web`)")


def up(scale: list[str]) -> dict[str, str]:
    if docker_engine():
        subprocess.run(["docker", "compose", "up", "-d", "--build", *[f"--scale={s}" for s in scale]], cwd=ROOT,
                       check=True)
        wait_ready(int(os.environ.get("COMPOSE_PORT", 8080)))
        return dict(os.environ)
    if not shutil.which("podman"):
        raise SystemExit("compose: neither a Docker engine nor podman here (scripts/install-system-deps.sh "
                         "installs podman)")
    env = project_env(build_images())
    start_in_stages(env, scale)
    port = int(env.get("COMPOSE_PORT", 8080))
    wait_ready(port)
    print(f"compose: serving http://127.0.0.1:{port} (Prometheus 127.0.0.1:{env.get('PROMETHEUS_PORT', 9090)}, "
          f"Alertmanager 127.0.0.1:{env.get('ALERTMANAGER_PORT', 9093)})", flush=True)
    return env


def start_in_stages(env: dict[str, str], scale: list[str]) -> None:
    """depends_on's conditions in order, by this script: podman 4.3 cannot wait for a health check
    (podman-compose ignores the conditions) and its --requires graph fails past one level, so each
    stage is started with --no-deps once the one before it is healthy or has exited 0."""
    data = ["postgres", "redis"] + (["s3"] if local_s3(env) else [])
    # the data services keep running (moto's S3 keeps its objects in memory) unless their image changed
    stale = [service for service in data if any(image_changed(name) for name in containers(env, service))]
    compose(env, "up", "-d", "--no-deps", *data)
    if stale:
        compose(env, "up", "-d", "--no-deps", "--force-recreate", *stale)
    for service in data:
        wait_healthy(env, service)
    jobs = ["migrate"] + (["s3-init"] if local_s3(env) else [])
    compose(env, "up", "-d", "--no-deps", "--force-recreate", *jobs)
    for job in jobs:
        wait_exited_ok(env, job)
    apps = ["web", "asgi", "worker", "beat", "pitr-base"]
    compose(env, "up", "-d", "--no-deps", "--force-recreate", *[f"--scale={s}" for s in scale], *apps)
    for service in ("web", "asgi"):
        wait_healthy(env, service)
    compose(env, "up", "-d", "--no-deps", "--force-recreate", "nginx", "prometheus", "alertmanager")


def containers(env: dict[str, str], service: str) -> list[str]:
    """The names of a service's containers in this project (replicas included)."""
    out = podman("ps", "-a", "--format", "{{.Names}}", "--filter",
                 f"label=io.podman.compose.project={env['COMPOSE_PROJECT_NAME']}",
                 "--filter", f"label=com.docker.compose.service={service}", capture=True).stdout
    return sorted(out.split())


def image_changed(container: str) -> bool:
    """The container runs another image than its image name now points at (a rebuild)."""
    used, name = podman("inspect", "--format", "{{.Image}}\t{{.ImageName}}", container, capture=True).stdout.split()
    current = podman("image", "inspect", "--format", "{{.Id}}", name, check=False, capture=True).stdout.strip()
    return used != current


def wait_healthy(env: dict[str, str], service: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = containers(env, service)
        if names and all(podman("healthcheck", "run", n, check=False, capture=True).returncode == 0 for n in names):
            return
        time.sleep(1)
    raise SystemExit(f"compose: {service} was not healthy within {timeout:.0f} s "
                     f"(`python -m scripts.compose logs {service}`)")


def wait_exited_ok(env: dict[str, str], service: str, timeout: float = 300) -> None:
    [name] = containers(env, service)
    code = podman("wait", name, capture=True, timeout=timeout).stdout.strip()
    if code != "0":
        logs = podman("logs", "--tail", "40", name, check=False, capture=True)
        raise SystemExit(f"compose: {service} exited {code}:\n{logs.stdout}{logs.stderr}")


def down(clean: bool, env: dict[str, str] | None = None) -> None:
    """Stop the project (`env` names another one, e.g. scripts/ha.py's); volumes go with `clean`."""
    if docker_engine():
        subprocess.run(["docker", "compose", "-f", (env or {}).get("PAPYRUS_COMPOSE_FILE", "docker-compose.yml"),
                        "down", *(["--volumes"] if clean else [])], cwd=ROOT, check=True)
        return
    env = env or project_env()
    compose(env, "down", *(["--volumes"] if clean else []), check=False)
    # podman-compose's down knows one container per service: scaled replicas (web_2...) and the
    # network they hold stay behind without this
    label = f"label=io.podman.compose.project={env['COMPOSE_PROJECT_NAME']}"
    left = podman("ps", "-a", "-q", "--filter", label, capture=True).stdout.split()
    if left:
        podman("rm", "-f", "-t", "10", *left, capture=True)
    for network in podman("network", "ls", "-q", "--filter", label, capture=True).stdout.split():
        podman("network", "rm", "-f", network, check=False, capture=True)
    if clean:
        for volume in podman("volume", "ls", "-q", "--filter", label, capture=True).stdout.split():
            podman("volume", "rm", "-f", volume, check=False, capture=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.compose", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up")
    p_up.add_argument("--scale", action="append", default=[], help="SERVICE=N, e.g. web=2")
    p_down = sub.add_parser("down")
    p_down.add_argument("--clean", action="store_true", default=os.environ.get("CLEAN") == "1")
    sub.add_parser("build")
    sub.add_parser("ps")
    p_logs = sub.add_parser("logs")
    p_logs.add_argument("service")
    args = parser.parse_args(argv)
    if args.command == "up":
        up(args.scale)
    elif args.command == "down":
        down(args.clean)
    elif args.command == "build":
        build_images()
    elif args.command == "ps":
        compose(project_env(), "ps")
    elif args.command == "logs":
        compose(project_env(), "logs", args.service)
    return 0


if __name__ == "__main__":
    sys.exit(main())
