"""Run a script in a fresh interpreter on an ops app's own settings: it must pass and load no Papyrus.

Each reusable app (`ops/` apps, backups_app) has a test that installs it in a Django project with nothing of Papyrus
beside it (tests/ops/<app>/settings.py). The script's last step is the shared check below.
"""
from __future__ import annotations

import subprocess
import sys

from tests.support.live import ROOT

NO_PAPYRUS = """
import sys as _sys
_leaked = sorted(m for m in _sys.modules if m.split(".")[0] in {forbidden!r})
assert not _leaked, _leaked
print("standalone ok")
"""


def run_standalone(script: str, *, env: dict, timeout: float = 60,
                   forbidden: tuple[str, ...] = ("papyrus", "backups_app")) -> subprocess.CompletedProcess:
    """`python -c script` + the check that no module of `forbidden` was loaded, from the project root;
    assert that both passed."""
    check = NO_PAPYRUS.format(forbidden=forbidden)
    done = subprocess.run([sys.executable, "-c", script + check], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "standalone ok" in done.stdout
    return done
