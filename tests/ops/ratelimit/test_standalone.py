"""ops.ratelimit installs and limits in a Django project with nothing of Papyrus beside it."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("check", fail_level="WARNING")
from django.test import Client
client = Client()
codes = [client.get("/api/things").status_code for _ in range(3)]
assert codes == [200, 200, 429], codes
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("papyrus", "backups_app"))
assert not leaked, leaked
print("standalone ok")
"""


def test_ops_ratelimit_runs_without_papyrus():
    env = {"DJANGO_SETTINGS_MODULE": "tests.ops.ratelimit.settings", "STANDALONE_PREFIX": uuid.uuid4().hex,
           "PATH": "/usr/bin:/bin", "REDIS_URL": os.environ["REDIS_URL"]}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "standalone ok" in done.stdout
