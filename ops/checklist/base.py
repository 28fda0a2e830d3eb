"""One small base class per checklist item and the runner that turns them into lines."""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from django.utils.module_loading import import_string

from . import conf
from .masking import scrub


class CheckFailed(Exception):
    """Raised by `Check.run` with the reason the item is not ticked."""


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


class Check:
    """One checklist item. `run(context)` returns a detail for the ok line or raises CheckFailed.

    `name` is the item as printed and as given to `--only`/`--skip`. Any other exception
    also fails the item, with its type and message.
    """

    name = ""

    def run(self, context: dict) -> str:
        raise NotImplementedError


def load_checks(paths: list[str]) -> list[Check]:
    """Instantiate the listed Check classes, in order."""
    return [import_string(path)() for path in paths]


def run_one(check: Check, context: dict, *, timeout: float) -> Result:
    """Run one item in a daemon thread so a hung dependency fails it instead of hanging the list."""
    outcome: dict = {}

    def target():
        try:
            outcome["detail"] = check.run(context) or ""
        except CheckFailed as exc:
            outcome["error"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure is this item's FAIL line
            outcome["error"] = f"{type(exc).__name__}: {first_line(exc)}"
        finally:
            close_db_connections()

    worker = threading.Thread(target=target, name=f"ops-check-{check.name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return Result(check.name, False, f"no answer within {timeout:g}s")
    secrets = conf.secret_values()
    if "error" in outcome:
        return Result(check.name, False, scrub(outcome["error"], secrets))
    return Result(check.name, True, scrub(outcome["detail"], secrets))


def run_checklist(checks: list[Check], context: dict, *, timeout: float | None = None) -> list[Result]:
    """Every item's Result, in list order."""
    limit = conf.timeout() if timeout is None else timeout
    return [run_one(check, context, timeout=limit) for check in checks]


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)


def close_db_connections() -> None:
    """Django connections are per thread: close the ones this item's thread opened."""
    from django.db import connections

    connections.close_all()
