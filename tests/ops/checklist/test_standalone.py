"""ops.checklist works in a project that has nothing of Papyrus (tests/ops/checklist/settings.py)."""
import os
import secrets
import subprocess
import sys

from tests.support.live import ROOT

SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
try:
    call_command("ops_check", "--only", "redis,database,jwt_secret,log_dir")
finally:
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("papyrus", "backups_app"))
    print("imported:", leaked)
"""


def test_checklist_runs_without_papyrus(migrated_main_db, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.ops.checklist.settings",
           "JWT_SECRET": secrets.token_urlsafe(40), "LOG_DIR": str(tmp_path)}

    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "imported: []" in result.stdout
    assert "4/4 ok" in result.stdout
    assert f"from {os.environ['REDIS_URL']}" in result.stdout  # no django-redis cache: REDIS_URL directly
