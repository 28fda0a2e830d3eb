import logging

from django.apps import AppConfig
from django.core import checks
from django.core.signals import setting_changed

from . import checks as ratelimit_checks
from . import rules
from .backends.redis import CacheOutageHandler


class RateLimitConfig(AppConfig):
    name = "ops.ratelimit"
    label = "ops_ratelimit"
    verbose_name = "Rate limiting"

    def ready(self):
        checks.register(ratelimit_checks.check_rules)
        checks.register(ratelimit_checks.check_backend)
        setting_changed.connect(rules.forget_on_setting_change)
        _watch_cache_outages()


def _watch_cache_outages() -> None:
    """The response cache notices a dead Redis first: its warnings end this process's leases."""
    cache_logger = logging.getLogger("ops.cache")
    if not any(isinstance(h, CacheOutageHandler) for h in cache_logger.handlers):
        cache_logger.addHandler(CacheOutageHandler())
