"""Reading what the log files hold."""
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from tests.support.live import ROOT


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def read_lines(*paths: Path) -> list[dict]:
    """Every line of `paths`, parsed as JSON (a line that is not JSON fails the test)."""
    records = []
    for path in paths:
        for line in path.read_text().splitlines():
            records.append(json.loads(line))
    return records


def family(directory: Path, base: str) -> list[Path]:
    """`base` and its rotated files (`base.*`), lock files excluded."""
    return sorted(p for p in directory.iterdir() if p.name == base or p.name.startswith(base + "."))


def write(directory: Path, tag: str, count: int, level="info", max_size="20m", max_files="14d",
          errors_every=0, wait=True):
    cmd = [sys.executable, "-m", "tests.ops.logging.writer", str(directory), tag, str(count), level, max_size,
           max_files, str(errors_every)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    if wait:
        assert proc.wait(timeout=120) == 0
    return proc
