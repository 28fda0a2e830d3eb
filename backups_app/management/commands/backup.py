"""`manage.py backup create | list | restore --file=NAME | verify [--file=NAME] | cleanup | drill [--file=NAME]`.

Point-in-time recovery (docs/pitr.md): `backup pitr-setup [--apply] | pitr-base | pitr-list |
pitr --to TIME --into DIR [--port P] | pitr-drill`.

The guide's `npm run backup:create` / `backup:restore --file=` are `backup create` / `backup restore --file=`.
"""
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from backups_app import names, selectors, services
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
        parser.add_argument("action", choices=["create", "list", "restore", "verify", "cleanup", "drill",
                                               *PITR_ACTIONS])
        parser.add_argument("--file", dest="file", help="backup name, e.g. backup_2026-02-01_020000.sql.gz")
        parser.add_argument("--wait", type=float, default=0,
                            help="seconds to wait for a running backup/restore to finish (default: fail at once)")
        parser.add_argument("--all", action="store_true", help="list: include failed attempts")
        parser.add_argument("--yes", action="store_true", help="restore: do not ask for confirmation")
        add_pitr_arguments(parser)

    def handle(self, *args, action, **options):
        if options["file"] is not None:
            try:
                names.validate(options["file"])
            except names.InvalidName as exc:
                raise CommandError(f"invalid --file {options['file']!r}: {exc}") from None
        if action in PITR_ACTIONS:
            return run_pitr_action(self, action, options)
        if action == "restore" and not options["file"]:
            raise CommandError("restore needs --file=NAME (see `backup list`)")
        try:
            getattr(self, f"do_{action}")(**options)
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

    def do_restore(self, *, file, wait, yes, **_):
        if not yes and sys.stdin.isatty():
            answer = input(f"Replace ALL live data with {file}? Type the name to confirm: ")
            if answer.strip() != file:
                raise CommandError("restore cancelled")
        progress = Progress(self.stdout)
        row = services.backup_restore(name=file, progress=progress, wait=wait)
        progress.done()
        self.stdout.write(self.style.SUCCESS(f"restored {row.name} in {row.restore_duration_seconds:.1f}s"))

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

    def do_drill(self, *, file, **_):
        progress = Progress(self.stdout)
        row = services.backup_drill(name=file, progress=progress)
        progress.done()
        self.stdout.write(self.style.SUCCESS(
            f"drill of {row.name} passed: restored into a scratch database in {row.drill_duration_seconds:.1f}s, "
            f"{len(row.row_counts)} tables and {len(row.migrations)} migrations match the manifest"))
