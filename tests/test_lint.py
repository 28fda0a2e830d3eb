"""Static errors (undefined names, unused imports, syntax) fail the suite: `ruff check --select F,E9`."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_static_errors_in_the_code():
    done = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--select", "F,E9", "--no-cache",
                           "papyrus", "ops", "backups_app", "settings", "scripts", "bench", "tests"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
