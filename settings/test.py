"""The test suite: `make test` exports DATABASE_URL/REDIS_URL of throw-away services."""
from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOG_DIR = env("LOG_DIR", default=str(BASE_DIR / "var" / "test-logs"))
LOGGING = build_logging(level=LOG_LEVEL, directory=LOG_DIR, max_size=LOG_MAX_SIZE,  # noqa: F405
                        max_files=LOG_MAX_FILES, service="papyrus", console=LOG_CONSOLE or not LOG_FILES,  # noqa: F405
                        files=LOG_FILES, requests=LOG_REQUESTS)  # noqa: F405
BACKUP_DIR = env("BACKUP_DIR", default=str(BASE_DIR / "var" / "test-backups"))
# Tests roll back their transactions, so on_commit invalidation never runs and one test's
# cached responses or spent budgets would leak into the next: off unless a test (or a live
# server's env) turns them on. tests/ops/ratelimit and tests/papyrus/wiki/test_cache* do.
OPS_CACHE_RESPONSES = env.bool("RESPONSE_CACHE_ENABLED", default=False)
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=False)
# Tests do not run collectstatic: plain names, served by WhiteNoise from the apps' directories.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected in tests; WhiteNoise would warn about a missing directory
