"""ops.reports works in a project that has nothing of Papyrus (tests/ops/reports/settings.py)."""
import json
import os
import subprocess
import sys

from tests.support.live import ROOT

SCRIPT = """
import io, sys, django
django.setup()
from django.core.management import call_command
call_command("check", stdout=io.StringIO())  # raises on an error
call_command("ops_digest", "errors", "--log-dir", sys.argv[1], "--json")
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("papyrus", "backups_app"))
print(json.dumps(leaked))
"""


def test_reports_run_without_papyrus(tmp_path):
    (tmp_path / "error.log").write_text('{"level": "error", "message": "boom", "timestamp": "2999-01-01T00:00:00Z"}\n')
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.ops.reports.settings"}

    result = subprocess.run([sys.executable, "-c", "import json\n" + SCRIPT, str(tmp_path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    *report, leaked = result.stdout.strip().splitlines()
    assert json.loads(leaked) == []
    assert json.loads("\n".join(report))["files"] == 1
