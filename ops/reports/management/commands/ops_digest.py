"""`manage.py ops_digest errors|performance` — the weekly reports, on demand."""
import json

from django.core.management.base import BaseCommand, CommandError

from ops.reports.reports import ReportError, error_digest_report, performance_report


class Command(BaseCommand):
    help = "Weekly reports: `errors` (error lines in LOG_DIR's JSON logs) or `performance` (slowest routes by p95)."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["errors", "performance"])
        parser.add_argument("--days", type=float, default=7, help="window in days (default 7)")
        parser.add_argument("--top", type=int, default=None, help="rows per top list (default OPS_DIGEST_TOP)")
        parser.add_argument("--log-dir", help="errors: read this directory instead of LOG_DIR")
        parser.add_argument("--prometheus", metavar="URL", help="performance: query this Prometheus")
        parser.add_argument("--metrics-url", metavar="URL", help="performance: scrape this /metrics instead")
        parser.add_argument("--sentry", action="store_true", help="also send the report to Sentry")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")

    def handle(self, *args, **options):
        if options["days"] <= 0:
            raise CommandError("--days must be positive")
        try:
            report, event_id = self.build(options)
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            payload = report.as_dict(options["top"] or 10) if options["report"] == "errors" else report.as_dict()
            self.stdout.write(json.dumps({**payload, "sentryEventId": event_id}, indent=2))
        else:
            self.stdout.write(report.text(options["top"] or 10) if options["report"] == "errors" else report.text())
            if options["sentry"]:
                self.stdout.write(f"sent to Sentry: {event_id}" if event_id else "not sent: SENTRY_DSN is not set")
        if options["sentry"] and not event_id:
            raise CommandError("--sentry: SENTRY_DSN is not set")

    def build(self, options):
        if options["report"] == "errors":
            return error_digest_report(days=options["days"], top=options["top"], log_dir=options["log_dir"],
                                       to_sentry=options["sentry"])
        return performance_report(prometheus_url=options["prometheus"], metrics_url=options["metrics_url"],
                                  days=options["days"], top=options["top"], to_sentry=options["sentry"])
