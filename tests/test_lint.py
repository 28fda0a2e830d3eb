"""Static errors (undefined names, unused imports, syntax) and imports outside the top of a module
(PLC0415, unless a `# noqa: PLC0415 - why` says why) fail the suite: `ruff check`, rules in ruff.toml."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_static_errors_in_the_code():
    done = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache",
                           "papyrus", "ops", "backups_app", "settings", "scripts", "bench", "tests", "manage.py"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
