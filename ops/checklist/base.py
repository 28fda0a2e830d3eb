"""The checklist's items are ops.health checks: build the listed ones, run them with ops.health's
runner, and turn each result into a line."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.module_loading import import_string

from ops.health.base import HealthCheck, run_checks

from . import conf
from .masking import scrub


@dataclass
class Result:
    item: str
    ok: bool
    detail: str

    def line(self) -> str:
        """`ok   <item>  (detail)` or `FAIL <item>  <why>`."""
        if self.ok:
            return f"ok   {self.item}" + (f"  ({self.detail})" if self.detail else "")
        return f"FAIL {self.item}  {self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


def load_checks(entries, **context) -> list[HealthCheck]:
    """Build the listed checks, in order. An entry is a dotted path to a HealthCheck class, or
    (dotted path, keyword arguments). Each context value (`url`, `send_test_event`) is set on the
    checks that declare an attribute of that name."""
    checks = []
    for entry in entries:
        path, kwargs = (entry, {}) if isinstance(entry, str) else entry
        check = import_string(path)(**kwargs)
        for key, value in context.items():
            if hasattr(check, key):
                setattr(check, key, value)
        checks.append(check)
    return checks


def run_checklist(checks: list[HealthCheck], *, timeout: float | None = None) -> list[Result]:
    """Every item's Result, in list order; items run concurrently, each bounded by `timeout`
    (OPS_CHECKLIST_TIMEOUT by default), and no configured secret reaches a line."""
    results = run_checks(checks, timeout=conf.timeout() if timeout is None else timeout, explain=True)
    secrets = conf.secret_values()
    return [Result(name, r["status"] == "up", scrub(r.get("detail") or r.get("error") or "", secrets))
            for name, r in results.items()]
