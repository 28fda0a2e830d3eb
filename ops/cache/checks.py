"""System checks: the cache ops.cache uses must exist and be django-redis."""
from django.conf import settings
from django.core.checks import Error

from . import conf


def check_cache_backend(app_configs=None, **kwargs):
    alias = conf.alias()
    config = getattr(settings, "CACHES", {}).get(alias)
    if config is None:
        return [Error(f"OPS_CACHE_ALIAS names the cache {alias!r}, which CACHES does not define.",
                      hint="Add it to CACHES or point OPS_CACHE_ALIAS at an existing alias.",
                      id="ops_cache.E001")]
    if not config.get("BACKEND", "").startswith("django_redis."):
        return [Error(f"The cache {alias!r} is not a django-redis cache; ops.cache needs Redis.",
                      hint="Use ops.redis_settings.redis_settings() to build CACHES.",
                      id="ops_cache.E002")]
    options = config.get("OPTIONS", {})
    if options.get("CLUSTER_NODES") and int(options.get("DB") or 0) != 0:
        return [Error("Redis Cluster only has database 0.", hint="Unset REDIS_DB or set it to 0.",
                      id="ops_cache.E003")]
    return []
