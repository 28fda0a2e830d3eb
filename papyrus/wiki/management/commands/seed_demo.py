"""Create the demo admin (password printed once) and a public welcome page, if missing."""
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from papyrus.wiki import services
from papyrus.wiki.models import Page

DEMO_EMAIL = "admin@papyrus.local"
WELCOME = """Welcome to Papyrus, your team's wiki.

Create pages, tag them, group them in folders and share them with your team.
Everything is searchable. Operations (metrics, logs, backups) are described in the README.
"""


class Command(BaseCommand):
    help = "Create the demo admin and a public welcome page when they do not exist."

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, default=0,
                            help="also create this many generated public pages (load tests, benchmarks)")

    def handle(self, *args, **options):
        User = get_user_model()
        admin = User.objects.filter(email__iexact=DEMO_EMAIL).first()
        if admin is None:
            password = secrets.token_urlsafe(12) + "!1a"
            admin = User.objects.create_superuser(email=DEMO_EMAIL, password=password, name="Admin")
            self.stdout.write(self.style.SUCCESS(
                f"Demo admin created (shown once): {DEMO_EMAIL} / {password}"))
        if not Page.objects.alive().filter(team__isnull=True).exists():
            services.page_create(author=admin, title="Welcome to Papyrus", content=WELCOME,
                                 tags=["welcome", "getting-started"], folder="docs")
            self.stdout.write("Welcome page created.")
        if options["pages"] > 0:
            self._generate(admin, options["pages"])

    def _generate(self, author, count):
        """Bulk-insert public pages of ~2 KB; the database trigger indexes them for search."""
        words = ("test wiki page team search backup metrics redis cache deploy release "
                 "guide operator note draft review").split()
        pages = []
        for i in range(count):
            body = " ".join(words[(i + j) % len(words)] for j in range(300))
            pages.append(Page(title=f"Generated page {i}", slug=f"generated-page-{i}-{secrets.token_hex(3)}",
                              content=body, tags=[words[i % len(words)]], folder="generated", author=author))
        Page.objects.bulk_create(pages, batch_size=500)
        self.stdout.write(f"{count} generated pages created.")
