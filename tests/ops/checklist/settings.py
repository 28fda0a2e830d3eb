"""ops.checklist installed into a bare Django project: no Papyrus app, no cache, no Celery config.

Used by test_standalone.py to prove the app is reusable.
"""
import os
import tempfile

import environ

env = environ.Env()
SECRET_KEY = "standalone-" + "k" * 60
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.checklist"]
DATABASES = {"default": env.db("DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REDIS_URL = env("REDIS_URL")
JWT_SECRET = env("JWT_SECRET", default="")
LOG_DIR = os.environ.get("LOG_DIR", tempfile.gettempdir())
BACKUP_SCHEDULE = "30 1 * * *"
# This project's own settings for the items that need them (ops.checklist.conf.SITE_ROLES).
OPS_CHECKLIST_SITE_SETTINGS = {"token_secret": "JWT_SECRET", "backup_schedule": "BACKUP_SCHEDULE"}
