"""ops.health alone in a Django project: no Papyrus app, SQLite, Redis from REDIS_URL (reusable)."""
import os

SECRET_KEY = "ops-health-standalone-test"
ALLOWED_HOSTS = ["testserver"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.health"]
ROOT_URLCONF = "ops.health.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
