"""`cp .env.example .env` must work: an empty variable (in `.env` or in the environment)
means "not set", so the settings' defaults apply (issue 15)."""
import os
import shutil
import subprocess
import sys

from tests.support.live import ROOT

# Prints what a new user's `make run` would get from settings.dev.
PROBE = """
import django, os
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("check")
print("SECRET_KEY", bool(settings.SECRET_KEY))
print("JWT", settings.JWT_SECRET.startswith("dev-only"))
print("DB", settings.DATABASES["default"]["HOST"], settings.DATABASES["default"]["PORT"])
print("REDIS", settings.REDIS_URL)
print("MULTIPROC", "PROMETHEUS_MULTIPROC_DIR" in os.environ)
"""


def project_copy_with_env(tmp_path, env_text):
    """The settings package under `tmp_path` beside a `.env`: BASE_DIR is `tmp_path`, the other
    packages come from the checkout (PYTHONPATH)."""
    shutil.copytree(ROOT / "settings", tmp_path / "settings", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / ".env").write_text(env_text)


def run_probe(tmp_path, **environment):
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "LOG_DIR")}
    env = {**base, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "settings.dev", **environment}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_example_env_file_keeps_the_defaults(tmp_path):
    project_copy_with_env(tmp_path, (ROOT / ".env.example").read_text())

    result = run_probe(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY True" in result.stdout
    assert "JWT True" in result.stdout
    assert "DB 127.0.0.1 54329" in result.stdout
    assert "REDIS redis://127.0.0.1:63790/0" in result.stdout
    assert "MULTIPROC False" in result.stdout  # an empty value is not exported to the children either


def test_an_empty_environment_variable_means_not_set(tmp_path):
    project_copy_with_env(tmp_path, "")

    result = run_probe(tmp_path, DJANGO_SECRET_KEY="", DATABASE_URL="", JWT_SECRET="", REDIS_URL="")

    assert result.returncode == 0, result.stderr
    assert "SECRET_KEY True" in result.stdout
    assert "DB 127.0.0.1 54329" in result.stdout


def test_an_empty_environment_variable_gives_way_to_the_env_file(tmp_path):
    project_copy_with_env(tmp_path, "REDIS_URL=redis://127.0.0.1:6399/3\n")

    result = run_probe(tmp_path, REDIS_URL="")

    assert result.returncode == 0, result.stderr
    assert "REDIS redis://127.0.0.1:6399/3" in result.stdout


def test_a_set_environment_variable_wins_over_the_env_file(tmp_path):
    project_copy_with_env(tmp_path, "REDIS_URL=redis://127.0.0.1:6399/3\n")

    result = run_probe(tmp_path, REDIS_URL="redis://127.0.0.1:6400/4")

    assert result.returncode == 0, result.stderr
    assert "REDIS redis://127.0.0.1:6400/4" in result.stdout
