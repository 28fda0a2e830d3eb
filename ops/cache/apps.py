from django.apps import AppConfig


class CacheConfig(AppConfig):
    name = "ops.cache"
    label = "ops_cache"
    verbose_name = "Redis cache"

    def ready(self):
        from django.core import checks

        from . import checks as cache_checks

        checks.register(cache_checks.check_cache_backend, checks.Tags.caches)
