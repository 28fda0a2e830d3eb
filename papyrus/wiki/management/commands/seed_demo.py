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
