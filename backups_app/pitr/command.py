"""The PITR subcommands of `manage.py backup` (kept here so backup.py only gains a dispatch)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from ..errors import BackupError
from . import barman, recover, setup
from .base import apply_retention, base_backup
from .drill import run_drill

PITR_ACTIONS = ("pitr-setup", "pitr-base", "pitr-list", "pitr", "pitr-drill")


def add_pitr_arguments(parser) -> None:
    parser.add_argument("--to", dest="to", help='pitr: the second to recover to, ISO 8601 with zone, '
                                                'e.g. "2026-12-01T10:15:30Z"')
    parser.add_argument("--into", dest="into", help="pitr: a new or empty directory for the recovered cluster")
    parser.add_argument("--port", type=int, help="pitr: start the recovered cluster on 127.0.0.1:PORT")
    parser.add_argument("--apply", action="store_true",
                        help="pitr-setup: apply the settings to the local cluster (`make run`'s) and restart it")


def run_pitr_action(command, action: str, options: dict) -> None:
    handler = {"pitr-setup": _setup, "pitr-base": _base, "pitr-list": _list, "pitr": _pitr,
               "pitr-drill": _drill}[action]
    try:
        handler(command, **options)
    except BackupError as exc:
        raise CommandError(str(exc)) from None


def _setup(command, *, apply, **_):
    if not apply:
        command.stdout.write(setup.instructions())
        return
    changed = setup.apply()
    command.stdout.write(command.style.SUCCESS(
        "archiving configured" + (f" (changed: {', '.join(changed)})" if changed else " (already in place)")))


def _base(command, **_):
    taken = base_backup(immediate=True)
    apply_retention()
    command.stdout.write(command.style.SUCCESS(f"base backup {taken['name']} taken in {taken['seconds']:.1f}s"))


def _list(command, **_):
    backups = barman.base_backups()
    for b in backups:
        command.stdout.write(f"{b['id']}  {b['name']:<26} ended {b['end_time']:%Y-%m-%dT%H:%M:%SZ}  "
                             f"{b['size'] / 1e6:,.1f} MB  from WAL {b['begin_wal']}")
    newest = barman.newest_wal()
    command.stdout.write(f"{len(backups)} base backup(s); newest archived WAL: "
                         + (f"{newest['name']} at {newest['archived_at']:%Y-%m-%dT%H:%M:%SZ}" if newest else "none"))


def _pitr(command, *, to, into, port, **_):
    if not to or not into:
        raise CommandError('pitr needs --to "2026-12-01T10:15:30Z" and --into DIR')
    if port is not None and not 0 < port < 65536:
        raise CommandError(f"--port {port} is not a TCP port")
    result = recover.recover(target=recover.parse_target(to), into=Path(into), port=port)
    command.stdout.write(command.style.SUCCESS(
        f"recovered base backup {result.base_backup} to {recover._fmt(result.target)} in {result.datadir} "
        f"({result.seconds:.1f}s)"))
    if result.replayed_to_end:
        command.stdout.write("no commit after that time was archived: every archived change is included")
    if port is None:
        command.stdout.write(recover.start_instructions(result))
    else:
        command.stdout.write(f"running on 127.0.0.1:{port} (promoted, writable; archive_mode off). "
                             f"Stop it: pg_ctl -D {result.datadir} stop. Cut-over: docs/pitr.md")


def _drill(command, **_):
    entry = run_drill()
    command.stdout.write(command.style.SUCCESS(
        f"PITR drill passed in {entry['durationSeconds']:.1f}s: recovered {entry['baseBackup']} to {entry['target']}, "
        "row counts match the live database"))
