"""The deployed code's revision, for every ops app that reports it (health documents, Sentry's release).

`git_sha()`: GIT_SHA from the environment (images have no .git), else the checkout's `git rev-parse
HEAD` (in BASE_DIR), else "". Read once per process: the code a process runs does not change under it.
"""
from __future__ import annotations

import functools
import os
import subprocess

from django.conf import settings


@functools.lru_cache(maxsize=1)
def git_sha() -> str:
    if os.environ.get("GIT_SHA"):
        return os.environ["GIT_SHA"]

    base = str(getattr(settings, "BASE_DIR", os.getcwd()))
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=base, capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def short_sha() -> str:
    """git_sha() abbreviated as `git rev-parse --short` would (7 hex digits); GIT_SHA as given."""
    sha = git_sha()
    return sha if os.environ.get("GIT_SHA") else sha[:7]
