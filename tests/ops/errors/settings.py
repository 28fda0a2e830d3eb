"""ops.logging + ops.errors alone in a Django project: no Papyrus app (proves they are reusable)."""
import os
import tempfile

from ops.logging.config import build_logging

SECRET_KEY = "ops-errors-standalone-test"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.logging", "ops.errors"]
MIDDLEWARE = ["ops.logging.middleware.RequestLogMiddleware"]
ROOT_URLCONF = "tests.ops.logging.standalone_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
VERSION = "9.9.9"
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
LOGGING = build_logging(directory=tempfile.mkdtemp(prefix="ops-errors-standalone-"))
