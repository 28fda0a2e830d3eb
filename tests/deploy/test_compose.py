"""docker-compose.yml validated offline with Debian's docker-compose (v1) `config`."""
import os
import re
import secrets
import shutil
import subprocess

import pytest
import yaml

from tests.support.live import ROOT

COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"
SERVICES = {"postgres", "redis", "migrate", "web", "asgi", "worker", "beat", "nginx", "prometheus", "grafana"}
APP_SERVICES = {"migrate", "web", "asgi", "worker", "beat"}


def sample_env(path):
    path.write_text("\n".join([
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}",
        f"JWT_SECRET={secrets.token_urlsafe(48)}",
        "ALLOWED_HOSTS=papyrus.example.com",
        f"POSTGRES_PASSWORD={secrets.token_hex(16)}",
        f"REDIS_PASSWORD={secrets.token_hex(16)}",
        f"GRAFANA_ADMIN_PASSWORD={secrets.token_hex(8)}",
        "SENTRY_DSN=https://abcdef@o1.ingest.sentry.io/1",
        "BACKUP_S3_BUCKET=papyrus-backups",
    ]) + "\n")
    return path


def mounts(service: dict) -> dict[str, str]:
    """{source: target} of a service's volumes, whichever syntax `config` printed."""
    found = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume["source"], volume["target"]
        found[source] = target
    return found


def compose(*args, env_file):
    env = {**os.environ, "PAPYRUS_ENV_FILE": str(env_file)}
    env.pop("PORT", None)
    return subprocess.run([COMPOSE, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"),
                           "--env-file", str(env_file), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def config(tmp_path):
    result = compose("config", env_file=sample_env(tmp_path / "sample.env"))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_config_has_the_production_shape(config):
    services = config["services"]

    assert SERVICES <= set(services)
    assert {"pgdata", "backups", "prometheus", "alertmanager", "grafana"} <= set(config["volumes"])
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "settings.prod"
        database_url = environment["DATABASE_URL"]
        assert database_url.startswith("postgres://papyrus:") and "@postgres:5432/" in database_url
        assert environment["JWT_SECRET"]  # secrets arrive from the env file
        # JSON lines on stdout, one per request (what `docker compose logs` collects); no log volume
        assert (environment["LOG_FILES"], environment["LOG_REQUESTS"]) == ("false", "true")
        assert "logs" not in mounts(services[name])


def test_compose_healthchecks_probe_live_and_ready(config):
    services = config["services"]

    assert "/health/ready" in " ".join(services["web"]["healthcheck"]["test"])
    assert "/health/live" in " ".join(services["asgi"]["healthcheck"]["test"])
    assert "/health/live" in " ".join(services["nginx"]["healthcheck"]["test"])
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_serves_http_with_wsgi_and_websockets_with_asgi(config):
    services = config["services"]

    assert "granian --interface wsgi" in " ".join(services["web"]["command"])
    assert "exec uvicorn " in services["asgi"]["command"][-1] and "papyrus.asgi:application" in services["asgi"]["command"][-1]
    # docker-compose v1 prints a published address in the short syntax
    assert services["nginx"]["ports"] == ["127.0.0.1:8080:80/tcp"]
    assert mounts(services["nginx"])[str(ROOT / "deploy" / "nginx" / "nginx.conf")] == "/etc/nginx/nginx.conf"


def test_compose_mounts_prometheus_and_grafana_provisioning(config):
    services = config["services"]
    prometheus, grafana = mounts(services["prometheus"]), mounts(services["grafana"])

    assert prometheus[str(ROOT / "deploy" / "prometheus")] == "/etc/prometheus"
    assert (ROOT / "deploy" / "prometheus" / "alerts.yml").exists()
    assert grafana[str(ROOT / "deploy" / "grafana" / "provisioning")] == "/etc/grafana/provisioning"
    assert grafana[str(ROOT / "deploy" / "grafana" / "dashboards")] == "/var/lib/grafana/dashboards/papyrus"
    compose_config = yaml.safe_load((ROOT / "deploy" / "compose" / "prometheus.yml").read_text())
    assert compose_config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    papyrus = compose_config["scrape_configs"][0]
    assert papyrus["dns_sd_configs"][0]["names"] == ["web"]  # every replica
    assert [t for c in papyrus["static_configs"] for t in c["targets"]] == ["asgi:8001", "worker:9100", "beat:9100",
                                                                          "pitr-base:9100"]
    assert compose_config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]
    for name in ("worker", "beat", "pitr-base"):
        assert services[name]["environment"]["METRICS_EXPORTER_PORT"] == "9100"


def test_local_s3_store_is_behind_a_profile(tmp_path):
    env_file = sample_env(tmp_path / "sample.env")

    result = compose("--profile", "local-s3", "config", env_file=env_file)

    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["s3"]["profiles"] == ["local-s3"] and "s3-init" in services


def test_a_missing_required_secret_is_named(tmp_path):
    env_file = tmp_path / "partial.env"
    env_file.write_text("ALLOWED_HOSTS=papyrus.example.com\n")

    result = compose("config", env_file=env_file)

    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr or "set REDIS_PASSWORD in .env" in result.stderr


def test_web_wipes_the_prometheus_multiprocess_directory_before_serving(config, tmp_path):
    """A restarted `web` container keeps its filesystem: files of the previous run's workers
    would be summed into the new counters. The command wipes the directory, then serves."""
    shell, flag, script = config["services"]["web"]["command"]
    assert (shell, flag) == ("sh", "-c")
    wipe, _, serve = script.partition("&&")
    assert serve.strip().startswith("exec granian "), script
    stale = tmp_path / "prometheus"
    stale.mkdir()
    (stale / "counter_4242.db").write_bytes(b"\0" * 16)
    (stale / "histogram_archive.db").write_bytes(b"\0" * 16)

    # The wipe part runs as written, with the image's PROMETHEUS_MULTIPROC_DIR pointing here.
    result = subprocess.run(["sh", "-c", wipe], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(stale)})

    assert result.returncode == 0, result.stderr
    assert list(stale.iterdir()) == []


def test_static_files_come_from_the_image_through_whitenoise(config):
    """collectstatic runs in the image build; no volume or nginx alias can serve stale files."""
    services = config["services"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "manage.py collectstatic" in dockerfile
    assert "static" not in config.get("volumes", {})
    assert not any(target.startswith("/var/www/static") for target in mounts(services["nginx"]).values())


def dockerfile_instructions(path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    found, pending = [], ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip().removesuffix("\\") + " " if line.rstrip().endswith("\\") else line.strip()
        if not line.rstrip().endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
            pending = ""
    return found


def test_the_app_image_has_what_pitr_recovery_needs_and_runs_it_as_papyrus(config):
    """`backup pitr` and the drill run in the worker (and `docker-compose run worker ...`): the image
    built from ./Dockerfile needs barman-cloud-restore/-wal-restore and PostgreSQL 15's server binaries
    where backups_app.pg.binary looks (/usr/lib/postgresql/15/bin), and must not run as root (pg_ctl
    refuses root)."""
    services = config["services"]
    for name in ("worker", "beat", "pitr-base"):
        assert services[name]["build"]["context"] == str(ROOT) and services[name].get("build", {}).get(
            "dockerfile", "Dockerfile") == "Dockerfile"
        assert services[name]["image"] == services["web"]["image"]
    assert "user" not in services["worker"]  # the image's USER
    steps = dockerfile_instructions(ROOT / "Dockerfile")
    installs = " ".join(args for word, args in steps if word == "RUN" and "apt-get install" in args)
    for package in ("barman-cli-cloud", "postgresql-15", "postgresql-client-15"):
        assert f" {package} " in f" {installs} ", package
    assert "create_main_cluster = false" in installs  # no cluster of its own in the image
    env = " ".join(args for word, args in steps if word == "ENV")
    assert re.search(r"PATH=\S*/usr/lib/postgresql/15/bin\S*:\$PATH", env)
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] == "papyrus"  # the last USER wins: pg_ctl and barman run as papyrus
    assert any("useradd" in args and "papyrus" in args for word, args in steps if word == "RUN")
    # the compose superuser is POSTGRES_USER: no `postgres` role for the default BACKUP_PITR_PG_DSN
    dsn = services["worker"]["environment"]["BACKUP_PITR_PG_DSN"]
    assert dsn.startswith(f"postgres://{services['postgres']['environment']['POSTGRES_USER']}:")
    assert dsn.endswith("@postgres:5432/papyrus")


def test_pitr_base_backups_run_on_their_queue_beside_the_data_volume(config):
    """barman-cloud-backup reads PGDATA's files: beat sends the base backup to BACKUP_PITR_BASE_QUEUE,
    consumed only by pitr-base, a worker of the app image with the postgres service's data volume
    read-only at the same path, as the files' owner (999:999 in the postgres image: the app image
    creates its postgres user with the same ids)."""
    services = config["services"]
    side, postgres, worker = services["pitr-base"], services["postgres"], services["worker"]
    queue = services["beat"]["environment"]["BACKUP_PITR_BASE_QUEUE"]
    assert queue == "pitr-base"
    command = side["command"]
    assert command[:4] == ["celery", "-A", "papyrus", "worker"]
    assert command[command.index("--queues") + 1] == queue
    assert "--beat" not in command and "-B" not in command
    assert "--queues" not in worker["command"] and "-Q" not in worker["command"]  # the default queue only
    (data_path,) = [t for s, t in mounts(postgres).items() if s == "pgdata"]
    assert mounts(side) == {"pgdata": data_path}
    (volume,) = side["volumes"]
    assert (volume.get("read_only") if isinstance(volume, dict) else volume.endswith(":ro"))
    assert str(side["user"]) == "999:999"
    assert postgres["build"]["context"] == str(ROOT / "deploy" / "postgres")
    postgres_steps = dockerfile_instructions(ROOT / "deploy" / "postgres" / "Dockerfile")
    assert [a for w, a in postgres_steps if w == "FROM"] == ["${POSTGRES_IMAGE}"]
    # its postgres user is 999:999 (docker-library/postgres; deploy/podman's stand-in keeps it)
    assert ("ARG", "POSTGRES_IMAGE=postgres:15-bookworm") in postgres_steps
    app_run = " ".join(a for w, a in dockerfile_instructions(ROOT / "Dockerfile") if w == "RUN")
    assert "groupadd --system --gid 999 postgres" in app_run
    assert "useradd --system --uid 999 --gid 999" in app_run
    environment = side["environment"]
    assert environment["BACKUP_PITR_PG_DSN"] == worker["environment"]["BACKUP_PITR_PG_DSN"]
    assert environment["REDIS_URL"] == worker["environment"]["REDIS_URL"]  # its failures reach the counter
    assert environment["PROMETHEUS_MULTIPROC_DIR"] == ""  # /tmp/prometheus is the papyrus user's
    assert side["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pitr-base@" in " ".join(side["healthcheck"]["test"])
    # the postgres image keeps only the archive_command's script
    assert "base-backup" not in (ROOT / "deploy" / "postgres" / "Dockerfile").read_text()
    assert "papyrus-archive-wal" in postgres["command"][-1]
