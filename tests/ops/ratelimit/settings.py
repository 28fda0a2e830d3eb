"""ops.ratelimit (with ops.cache) installed in a bare Django project: no Papyrus app, URL or setting."""
import json
import os

from ops.redis_settings import redis_settings

SECRET_KEY = "standalone-test-only"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions",
                  "ops.cache", "ops.ratelimit"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops.ratelimit.middleware.RateLimitMiddleware",
]
ROOT_URLCONF = "tests.ops.ratelimit.urls"
DATABASES = {}
USE_TZ = True
_redis = redis_settings(url=os.environ["REDIS_URL"], key_prefix=os.environ.get("STANDALONE_PREFIX", "standalone"))
CACHES = _redis["CACHES"]
SESSION_ENGINE = _redis["SESSION_ENGINE"]
RATELIMIT_RULES = json.loads(os.environ.get("STANDALONE_RULES", '{"reads": {"limit": 2, "period": 3600}}'))
RATELIMIT_LEASE_MAX = int(os.environ.get("STANDALONE_LEASE_MAX", "20"))
RATELIMIT_LEASE_SECONDS = float(os.environ.get("STANDALONE_LEASE_SECONDS", "1"))
