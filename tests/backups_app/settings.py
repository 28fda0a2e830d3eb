"""backups_app installed in a bare Django project: no Papyrus app, table, URL or setting."""
import os

import environ

from ops.redis_settings import redis_settings

SECRET_KEY = "standalone-test-only"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "backups_app"]
DATABASES = {"default": environ.Env.db_url_config(os.environ["DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
CACHES = redis_settings(url=os.environ["REDIS_URL"], key_prefix="standalone")["CACHES"]
BACKUP_DIR = os.environ["BACKUP_DIR"]
BACKUP_KEPT_MODELS = ["auth.Group"]  # this site's rows that a restore keeps
