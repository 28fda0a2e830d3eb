"""ops.logging + ops.errors with the Sentry middleware, no Papyrus: the lean path in isolation."""
import os
import tempfile

from ops.logging.config import build_logging

SECRET_KEY = "ops-errors-lean-test"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.logging", "ops.errors"]
MIDDLEWARE = ["ops.logging.middleware.RequestLogMiddleware", "ops.errors.middleware.SentryMiddleware"]
ROOT_URLCONF = "tests.ops.errors.lean_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
SENTRY_TRACES_RULES = {"probes": {"paths": [r"^/health"], "rate": 0}}
LOGGING = build_logging(directory=tempfile.mkdtemp(prefix="ops-errors-lean-"))
