"""ops.cache settings, read at call time so `override_settings` works.

    OPS_CACHE_ALIAS = "default"       # the django-redis cache CacheService and namespaces use
    OPS_CACHE_TIMEOUT = 300           # seconds an entry lives when no ttl is given
    OPS_CACHE_RESPONSES = True        # response caching on/off (namespaced caches bypass when off)
    OPS_CACHE_ERROR_LOG_INTERVAL = 10 # seconds between two "Redis unavailable" warnings per process
"""
from django.conf import settings


def alias() -> str:
    return getattr(settings, "OPS_CACHE_ALIAS", "default")


def default_timeout() -> int:
    return int(getattr(settings, "OPS_CACHE_TIMEOUT", 300))


def responses_enabled() -> bool:
    return bool(getattr(settings, "OPS_CACHE_RESPONSES", True))


def error_log_interval() -> float:
    return float(getattr(settings, "OPS_CACHE_ERROR_LOG_INTERVAL", 10))
