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
# This project's list: ops.checklist's defaults plus a check of its own token secret.
OPS_CHECKLIST_PRE_DEPLOY = [
    "ops.checklist.predeploy.SentryDsn",
    "ops.checklist.predeploy.RedisReachable",
    "ops.checklist.predeploy.DatabaseMigrated",
    ("ops.checklist.predeploy.SecretStrong", {"setting": "JWT_SECRET", "name": "jwt_secret"}),
    "ops.checklist.predeploy.LogDirWritable",
    "ops.checklist.predeploy.DeployChecks",
]
