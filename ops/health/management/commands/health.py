"""`manage.py health [--path /health/ready]`: the endpoint's checks, as JSON; exit 0 healthy, 1 not."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.urls import Resolver404, resolve

from ops.health.views import live, report, uptime


class Command(BaseCommand):
    help = "Run the checks of a health endpoint (default /health) for container probes; exit 1 when unhealthy."

    def add_arguments(self, parser):
        parser.add_argument("--path", default="/health", help="/health, /health/ready or /health/live")

    def handle(self, *args, path, **options):
        try:
            view = resolve(path).func
        except Resolver404:
            raise CommandError(f"{path} is not a URL of this site") from None
        checks = getattr(view, "view_initkwargs", {}).get("checks")
        if view is live:
            body, healthy = {"status": "healthy", "uptimeSeconds": uptime()}, True  # /health/live
        elif checks is None:
            raise CommandError(f"{path} is not a health endpoint")
        else:
            body, healthy = report(checks)
        self.stdout.write(json.dumps(body))
        if not healthy:
            sys.exit(1)
