"""The test suite: `make test` exports DATABASE_URL/REDIS_URL of throw-away services."""
from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOG_DIR = env("LOG_DIR", default=str(BASE_DIR / "var" / "test-logs"))
BACKUP_DIR = env("BACKUP_DIR", default=str(BASE_DIR / "var" / "test-backups"))
