from django.apps import AppConfig
from django.core import checks

from . import checks as cache_checks


class CacheConfig(AppConfig):
    name = "ops.cache"
    label = "ops_cache"
    verbose_name = "Redis cache"

    def ready(self):
        checks.register(cache_checks.check_cache_backend, checks.Tags.caches)
