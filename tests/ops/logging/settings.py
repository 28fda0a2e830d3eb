"""ops.logging alone in a Django project: no Papyrus app (proves it is reusable)."""
import tempfile

from ops.logging.config import build_logging

SECRET_KEY = "ops-logging-standalone-test"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.logging"]
MIDDLEWARE = ["ops.logging.middleware.RequestLogMiddleware"]
ROOT_URLCONF = "tests.ops.logging.standalone_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
LOG_LEVEL = "http"
LOG_DIR = tempfile.mkdtemp(prefix="ops-logging-standalone-")
LOGGING = build_logging(level=LOG_LEVEL, directory=LOG_DIR, service="standalone")
