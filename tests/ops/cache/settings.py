"""ops.cache installed in a bare Django project: no Papyrus app, URL or setting."""
import os

from ops.redis_settings import redis_settings

SECRET_KEY = "standalone-test-only"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "ops.cache"]
DATABASES = {}
USE_TZ = True
_redis = redis_settings(url=os.environ["REDIS_URL"], key_prefix=os.environ.get("STANDALONE_PREFIX", "standalone"))
CACHES = _redis["CACHES"]
OPS_CACHE_RESPONSES = True
