"""`make audit`'s two scans, each with a verdict that means something.

    python -m scripts.audit deps [-r FILE ...] [--min-audited 0.8]
        known vulnerabilities of every pin (pip-audit), then the count of what was really looked
        up: exit 1 on any known vulnerability, or when fewer than --min-audited of the pins could
        be audited (a scan that reached nothing never reads as "no known vulnerabilities").
    python -m scripts.audit code [PATH ...]
        bandit over the code with deploy/audit/bandit.yaml; exit 1 on any finding that is neither
        marked where it stands (`# nosec BXXX  # reason`) nor in deploy/audit/bandit-baseline.json.

pip-audit reads PyPI's per-version JSON (`/pypi/<name>/<version>/json`). Where that answers 404
(a mirror without it, as in this workplace), a pin is still audited when it is its project's
latest release: the project JSON (`/pypi/<name>/json`) carries that release's vulnerabilities.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import requests
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"
BANDIT_CONFIG = ROOT / "deploy" / "audit" / "bandit.yaml"
BANDIT_BASELINE = ROOT / "deploy" / "audit" / "bandit-baseline.json"
CODE = ("papyrus", "ops", "backups_app", "settings")


@dataclass
class Pin:
    name: str
    version: str
    vulns: list[str] = field(default_factory=list)
    skipped: str = ""  # why it could not be audited; empty when it was


def pip_audit(requirements: list[Path]) -> list[Pin]:
    """Every pin of the files with pip-audit's verdict (its JSON report)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "pip-audit.json"
        args = [str(BIN / "pip-audit"), "--no-deps", "--disable-pip", "--progress-spinner", "off",
                "-f", "json", "-o", str(report)]
        for path in requirements:
            args += ["-r", str(path)]
        done = subprocess.run(args, capture_output=True, text=True)
        if not report.exists():  # exit 1 with a report means "vulnerabilities found"
            raise SystemExit(f"pip-audit failed (exit {done.returncode}):\n{done.stderr}")
        deps = json.loads(report.read_text())["dependencies"]
    return [Pin(d["name"], d.get("version", ""), [_vuln_id(v) for v in d.get("vulns", [])], d.get("skip_reason", ""))
            for d in deps]


def _vuln_id(vuln: dict) -> str:
    fixed = vuln.get("fix_versions") or vuln.get("fixed_in") or []
    return f"{vuln['id']} (fixed in {', '.join(fixed)})" if fixed else f"{vuln['id']} (no fix yet)"


def audit_latest(pin: Pin, session: requests.Session) -> None:
    """Audit a pin pip-audit skipped from its project JSON, when the pin is the latest release."""
    pin.version = version = pin.version or pin.skipped.rpartition("(")[2].rstrip(")")
    try:
        response = session.get(PYPI_PROJECT.format(name=pin.name), timeout=60)
    except requests.RequestException as exc:
        pin.skipped = f"PyPI unreachable: {exc.__class__.__name__}"
        return
    if response.status_code != 200:
        pin.skipped = f"PyPI answered {response.status_code}"
        return
    project = response.json()
    latest = project["info"]["version"]
    if not _same_version(latest, version):
        pin.skipped = f"not the latest release ({latest}), and pip-audit's per-version look-up failed"
        return
    pin.skipped = ""
    pin.vulns = [_vuln_id(v) for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def deps_report(pins: list[Pin], min_audited: float) -> tuple[list[str], bool]:
    """The lines to print and whether the scan passes."""
    audited = [p for p in pins if not p.skipped]
    skipped = [p for p in pins if p.skipped]
    vulnerable = [p for p in audited if p.vulns]
    lines = [f"VULNERABLE {p.name}=={p.version}: {'; '.join(p.vulns)}" for p in vulnerable]
    lines += [f"not audited {p.name} {p.version}: {p.skipped}" for p in skipped]
    share = len(audited) / len(pins) if pins else 0.0
    lines.append(f"dependency scan: {len(pins)} pinned, {len(audited)} audited ({share:.0%}), "
                 f"{len(skipped)} not auditable, {sum(len(p.vulns) for p in vulnerable)} known "
                 f"vulnerabilities in {len(vulnerable)} packages")
    if share < min_audited:
        lines.append(f"FAIL: audited {share:.0%} of the pins, under the {min_audited:.0%} needed to mean anything")
    if vulnerable:
        lines.append("FAIL: known vulnerabilities (upgrade the pin in requirements*.in, then `make lock`)")
    return lines, share >= min_audited and not vulnerable


def deps(requirements: list[Path], min_audited: float) -> int:
    pins = pip_audit(requirements)
    with requests.Session() as session:
        for pin in pins:
            if pin.skipped:
                audit_latest(pin, session)
    lines, ok = deps_report(pins, min_audited)
    print("\n".join(lines))
    return 0 if ok else 1


def code(paths: list[str]) -> int:
    """bandit's exit status over `paths` (0: no finding outside the inline marks and the baseline)."""
    args = [str(BIN / "bandit"), "-q", "-c", str(BANDIT_CONFIG), "-b", str(BANDIT_BASELINE), "-r", *paths]
    done = subprocess.run(args, cwd=ROOT, stdout=sys.stdout, stderr=subprocess.PIPE, text=True)
    # bandit warns once per sub-expression of a marked statement that the mark did not apply there
    sys.stderr.write("".join(line for line in done.stderr.splitlines(keepends=True)
                             if "but no failed test" not in line))
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.audit", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="scan", required=True)
    scan = sub.add_parser("deps", help="known vulnerabilities of the pins, with the audited count")
    scan.add_argument("-r", dest="requirements", action="append", type=Path,
                      help="a pinned requirements file (default: requirements-test.txt)")
    scan.add_argument("--min-audited", type=float, default=0.8,
                      help="share of the pins that must be audited for a pass (default 0.8)")
    lint = sub.add_parser("code", help="bandit over the code")
    lint.add_argument("paths", nargs="*", default=list(CODE))
    options = parser.parse_args(argv)
    if options.scan == "deps":
        return deps(options.requirements or [ROOT / "requirements-test.txt"], options.min_audited)
    return code(options.paths)


if __name__ == "__main__":
    sys.exit(main())
