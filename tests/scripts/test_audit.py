"""`make audit`'s scans (scripts/audit.py): bandit green on the tree and red on an unmarked finding;
the dependency scan red on a known-vulnerable pin and on a look-up that audited too little.
The dependency tests ask PyPI itself, as `make audit` does."""
import subprocess
import sys

from tests.support.live import ROOT


def audit(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "scripts.audit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_bandit_step_is_green_on_the_tree():
    done = audit("code")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "but no failed test" not in done.stderr


def test_bandit_step_fails_on_an_unmarked_finding_and_passes_it_marked(tmp_path):
    (tmp_path / "draw.py").write_text("import random\n\n\ndef token():\n    return random.random()\n")
    done = audit("code", str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "B311" in done.stdout and "draw.py:5" in done.stdout

    (tmp_path / "draw.py").write_text("import random\n\n\ndef token():\n"
                                      "    return random.random()  # nosec B311  # a sampling draw\n")
    done = audit("code", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_deps_fails_when_too_few_pins_were_audited(tmp_path):
    """A pin no vulnerability service knows (a Django version that never existed) is not auditable:
    the scan says so and fails rather than reporting "no known vulnerabilities"."""
    (tmp_path / "requirements.txt").write_text("django==0.0.1\n")
    done = audit("deps", "-r", str(tmp_path / "requirements.txt"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not audited django 0.0.1" in done.stdout
    assert "dependency scan: 1 pinned, 0 audited (0%), 1 not auditable" in done.stdout
    assert "FAIL: audited 0% of the pins, under the 80% needed" in done.stdout


def test_deps_fails_on_a_known_vulnerable_pin(tmp_path):
    """ecdsa 0.19.2 (its latest release, with advisories open against it) is audited even where PyPI
    has no per-version JSON; Django 4.2.0 (many CVEs) is audited where it has, else listed as not
    auditable. Either way the scan fails on the vulnerability, not on the count (--min-audited 0)."""
    (tmp_path / "requirements.txt").write_text("ecdsa==0.19.2\ndjango==4.2.0\n")
    done = audit("deps", "-r", str(tmp_path / "requirements.txt"), "--min-audited", "0")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "VULNERABLE ecdsa==0.19.2: " in done.stdout
    assert "FAIL: known vulnerabilities" in done.stdout
    assert "dependency scan: 2 pinned" in done.stdout
