"""WSGI entry point: HTTP in production (granian, see docs/load-tests.md "Serving").

Anonymous page, list and search reads and /health are answered from cached bytes before
Django's stack when they can be (papyrus.wiki.fastreads); everything else goes to Django.
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.dev")

django_application = get_wsgi_application()

# Imported after get_wsgi_application() on purpose: it imports models, which need django.setup().
from papyrus.wiki.fastreads import FastReads  # noqa: E402

application = FastReads(django_application)
