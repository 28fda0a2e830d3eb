"""`manage.py ops_check` — the pre-deploy checklist; `--post-deploy URL` — the post-deploy one."""
import json

from django.core.management.base import BaseCommand, CommandError

from ops.checklist import conf
from ops.checklist.base import load_checks, run_checklist


class Command(BaseCommand):
    help = ("Run the deploy checklist: one line per item (ok / FAIL + why); exit 1 when any item fails. "
            "Without --post-deploy: the pre-deploy list; with it: the post-deploy list against URL.")
    # Failing system checks are one of the items here, not a reason to refuse to run.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--post-deploy", metavar="URL",
                            help="check a running site (/health, /metrics, logs, Redis)")
        parser.add_argument("--send-test-event", action="store_true",
                            help="send one event to SENTRY_DSN and report it accepted")
        parser.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
        parser.add_argument("--only", default="", help="comma-separated items to run (e.g. redis,database)")
        parser.add_argument("--skip", default="", help="comma-separated items to leave out")

    def handle(self, *args, **options):
        post = options["post_deploy"]
        if post and not post.startswith(("http://", "https://")):
            raise CommandError(f"--post-deploy needs an http(s) URL, got {post!r}")
        entries = conf.post_deploy_checks() if post else conf.pre_deploy_checks()
        checks = load_checks(entries, url=post or "", send_test_event=options["send_test_event"])
        results = run_checklist(self.select(checks, options))
        failed = [r for r in results if not r.ok]
        if options["json"]:
            self.stdout.write(json.dumps({"list": "post-deploy" if post else "pre-deploy", "ok": not failed,
                                          "results": [r.as_dict() for r in results]}, indent=2))
        else:
            for result in results:
                self.stdout.write(result.line(), self.style.SUCCESS if result.ok else self.style.ERROR)
            self.stdout.write(f"{len(results) - len(failed)}/{len(results)} ok")
        if failed:
            raise SystemExit(1)

    def select(self, checks, options):
        """Apply --only/--skip; an unknown item name is an error, not a silent no-op."""
        names = {c.name for c in checks}
        only = {n.strip() for n in options["only"].split(",") if n.strip()}
        skip = {n.strip() for n in options["skip"].split(",") if n.strip()}
        unknown = (only | skip) - names
        if unknown:
            listed = ", ".join(c.name for c in checks)
            raise CommandError(f"unknown item(s) {', '.join(sorted(unknown))}; items: {listed}")
        return [c for c in checks if (not only or c.name in only) and c.name not in skip]
