"""ops.metrics alone in a Django project: no Papyrus app, no PostgreSQL (proves it is reusable)."""
SECRET_KEY = "ops-metrics-standalone-test"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.metrics"]
MIDDLEWARE = ["ops.metrics.middleware.MetricsMiddleware", "django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "tests.ops.metrics.standalone_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
METRICS_TOKEN = "standalone-token"
