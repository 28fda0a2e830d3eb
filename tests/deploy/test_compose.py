"""docker-compose.yml validated offline with Debian's docker-compose (v1) `config`."""
import os
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
    assert {"pgdata", "logs", "backups", "prometheus", "grafana"} <= set(config["volumes"])
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "settings.prod"
        database_url = environment["DATABASE_URL"]
        assert database_url.startswith("postgres://papyrus:") and "@postgres:5432/" in database_url
        assert environment["JWT_SECRET"]  # secrets arrive from the env file
        assert mounts(services[name]).get("logs") == "/app/logs"


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
    assert services["asgi"]["command"][0] == "uvicorn" and "papyrus.asgi:application" in services["asgi"]["command"]
    assert services["nginx"]["ports"][0]["target"] == 80
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
    assert compose_config["scrape_configs"][0]["static_configs"][0]["targets"] == ["web:8000"]


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


def test_pitr_base_backups_run_on_the_data_volume_not_in_the_worker(config):
    """barman-cloud-backup reads PGDATA's files: the pitr-base service mounts the postgres service's
    data volume read-only at the same path, as its owner; the worker's beat entry stands down."""
    services = config["services"]
    side, postgres = services["pitr-base"], services["postgres"]
    assert side["image"] == postgres["image"]  # barman-cli-cloud and papyrus-base-backup
    assert side["user"] == "postgres" and side["command"] == ["papyrus-base-backup"]
    (data_path,) = [t for s, t in mounts(postgres).items() if s == "pgdata"]
    volume = [v for v in side["volumes"] if (v["source"] if isinstance(v, dict) else v.split(":")[0]) == "pgdata"][0]
    assert mounts(side)["pgdata"] == data_path
    assert (volume.get("read_only") if isinstance(volume, dict) else volume.endswith(":ro"))
    environment = side["environment"]
    assert environment["PGHOST"] == "postgres" and environment["PGPASSWORD"]
    assert environment["BACKUP_BASE_SCHEDULE"] == "30 1 * * *" and environment["BACKUP_S3_BUCKET"] == "papyrus-backups"
    assert side["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        assert services[name]["environment"]["BACKUP_PITR_BASE_ON_WORKER"] == "false"
