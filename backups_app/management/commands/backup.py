"""`manage.py backup create | list | preflight NAME | restore --file=NAME | restore-page | verify [--file=NAME]
| cleanup | drill [--file=NAME] | recover`.

Point-in-time recovery (docs/pitr.md): `backup pitr-setup [--apply] | pitr-base | pitr-list |
pitr --to TIME --into DIR [--port P] | pitr-drill`.

The guide's `npm run backup:create` / `backup:restore --file=` are `backup create` / `backup restore --file=`.
"""
import json as _json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from backups_app import names, preflight, selectors, services
from backups_app.errors import BackupError
from backups_app.pitr.command import PITR_ACTIONS, add_pitr_arguments, run_pitr_action


class Progress:
    """One self-rewriting status line on a terminal; silent otherwise (cron, CI logs)."""

    def __init__(self, stream):
        self.stream, self.tty = stream, stream.isatty()
        self.began, self.last = time.monotonic(), 0.0

    def __call__(self, phase, done, written=None):
        now = time.monotonic()
        if not self.tty or now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.began, 1e-6) / 1e6
        extra = f", {written / 1e6:,.1f} MB written" if written is not None else ""
        self.stream.write(f"\r  {phase}: {done / 1e6:,.1f} MB of SQL{extra} ({rate:,.1f} MB/s)   ")
        self.stream.flush()

    def done(self):
        if self.tty and self.last:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Create, list, restore, verify, clean up and drill database backups."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "preflight", "restore", "restore-page", "verify",
                                               "cleanup", "drill", "recover", *PITR_ACTIONS])
        parser.add_argument("name", nargs="?", help="backup name (same as --file)")
        parser.add_argument("--file", dest="file", help="backup name, e.g. backup_2026-02-01_020000.sql.gz")
        parser.add_argument("--wait", type=float, default=0,
                            help="seconds to wait for a running backup/restore to finish (default: fail at once)")
        parser.add_argument("--all", action="store_true", help="list: include failed attempts")
        parser.add_argument("--yes", action="store_true", help="restore: do not ask for confirmation")
        parser.add_argument("--skip-preflight", action="store_true",
                            help="restore: go ahead even when a preflight check blocks")
        parser.add_argument("--json", action="store_true", help="preflight: print the checks as JSON")
        parser.add_argument("--page", type=int, action="append", default=[],
                            help="restore-page: id of a page to bring back (repeatable)")
        parser.add_argument("--folder", default="", help="restore-page: bring back every page of this folder")
        add_pitr_arguments(parser)

    def handle(self, *args, action, name=None, **options):
        if action in PITR_ACTIONS:
            return run_pitr_action(self, action, options)
        if name is not None and options["file"] not in (None, name):
            raise CommandError("give the backup name once (NAME or --file=NAME)")
        options["file"] = options["file"] if options["file"] is not None else name
        if options["file"] is not None:
            try:
                names.validate(options["file"])
            except names.InvalidName as exc:
                raise CommandError(f"invalid --file {options['file']!r}: {exc}") from None
        if action in ("restore", "preflight", "restore-page") and not options["file"]:
            raise CommandError(f"{action} needs --file=NAME (see `backup list`)")
        try:
            getattr(self, f"do_{action.replace('-', '_')}")(**options)
        except BackupError as exc:
            raise CommandError(str(exc)) from None

    def do_create(self, *, wait, **_):
        progress = Progress(self.stdout)
        row = services.backup_create(progress=progress, wait=wait)
        progress.done()
        self.stdout.write(self.style.SUCCESS(
            f"{row.name}  {row.size / 1e6:,.1f} MB  in {row.duration_seconds:.1f}s  sha256 {row.sha256}"
            + ("  (+S3)" if row.in_s3 else "")))

    def do_list(self, *, all, **_):  # noqa: A002 - the option is called --all
        rows = list(selectors.backup_list(include_failed=all))
        if not rows:
            self.stdout.write("no backups")
            return
        for row in rows:
            size = f"{row.size / 1e6:,.1f} MB" if row.size else "-"
            verified = row.verified_at.strftime("%Y-%m-%d %H:%M") if row.verified_at else "-"
            self.stdout.write(f"{row.name}  {row.status:<8} {size:>10}  {row.location:<8} verified {verified}"
                              + (f"  {row.error}" if row.error and all else ""))

    def do_preflight(self, *, file, json: bool = False, **_):
        checks = preflight.backup_preflight(name=file)
        if json:
            self.stdout.write(_json.dumps([c.as_dict() for c in checks], indent=2))
        else:
            self._print_checks(checks)
        blocks = [c.name for c in checks if c.status == preflight.BLOCK]
        if blocks:
            raise CommandError(f"preflight of {file}: {len(blocks)} check(s) block a restore: {', '.join(blocks)}")

    def _print_checks(self, checks):
        styles = {preflight.OK: self.style.SUCCESS, preflight.WARN: self.style.WARNING,
                  preflight.BLOCK: self.style.ERROR}
        for check in checks:
            self.stdout.write(styles[check.status](f"{check.status:<5} {check.name:<10} {check.detail}"))

    def do_restore(self, *, file, wait, yes, skip_preflight, **_):
        if not skip_preflight:  # shown before the confirmation; the service refuses on a block
            self._print_checks(preflight.backup_preflight(name=file, checksum=False, lock=not wait))
        if not yes and sys.stdin.isatty():
            answer = input(f"Replace ALL live data with {file}? Type the name to confirm: ")
            if answer.strip() != file:
                raise CommandError("restore cancelled")
        progress = Progress(self.stdout)
        row = services.backup_restore(name=file, progress=progress, wait=wait, skip_preflight=skip_preflight)
        progress.done()
        self.stdout.write(self.style.SUCCESS(f"restored {row.name} in {row.restore_duration_seconds:.1f}s"))

    def do_restore_page(self, *, file, page, folder, **_):
        progress = Progress(self.stdout)
        result = services.backup_restore_pages(name=file, page_ids=page, folder=folder, progress=progress)
        progress.done()
        restored = ", ".join(map(str, result["restored"])) or "none"
        self.stdout.write(self.style.SUCCESS(f"brought back from {file} as new revisions: page(s) {restored}"))
        if result["missing"]:
            self.stdout.write(self.style.WARNING(
                f"not in the live database any more (not recreated): page(s) {', '.join(map(str, result['missing']))}"))

    def do_verify(self, *, file, **_):
        results = services.backup_verify(name=file)
        if not results:
            raise CommandError("no local backups to verify")
        for result in results:
            style = self.style.SUCCESS if result["ok"] else self.style.ERROR
            self.stdout.write(style(f"{result['name']}: {'OK' if result['ok'] else 'FAILED'} - {result['message']}"))
        failed = [r["name"] for r in results if not r["ok"]]
        if failed:
            raise CommandError(f"{len(failed)} backup(s) failed verification: {', '.join(failed)}")

    def do_cleanup(self, *, wait, **_):
        removed = services.backup_cleanup(wait=wait)
        self.stdout.write(f"removed {len(removed)} backup(s)" + (": " + ", ".join(removed) if removed else ""))

    def do_recover(self, *, wait, **_):
        """After a killed create or restore: record what it left, finish a committed restore, and
        turn maintenance mode off. Refused while a backup or restore is still running."""
        settled = services.backup_recover(wait=wait)
        for name in settled["backups"]:
            self.stdout.write(f"{name}: the backup was interrupted; recorded as failed")
        for name in settled["rolled_back"]:
            self.stdout.write(f"restore of {name}: interrupted before COMMIT, rolled back; the live data is unchanged")
        for name in settled["committed"]:
            self.stdout.write(f"restore of {name}: had committed before its process died; caches dropped, "
                              "recorded as restored")
        self.stdout.write("maintenance mode turned off" if settled["maintenance"] else "maintenance mode was off")
        if not any(settled[k] for k in ("backups", "rolled_back", "committed")):
            self.stdout.write("nothing was left interrupted")

    def do_drill(self, *, file, **_):
        progress = Progress(self.stdout)
        row = services.backup_drill(name=file, progress=progress)
        progress.done()
        self.stdout.write(self.style.SUCCESS(
            f"drill of {row.name} passed: restored into a scratch database in {row.drill_duration_seconds:.1f}s, "
            f"{len(row.row_counts)} tables and {len(row.migrations)} migrations match the manifest"))
