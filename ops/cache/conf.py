"""ops.cache settings: defaults declared once in DEFAULTS, read at call time (ops.appsettings)."""

from ops.appsettings import AppSettings

DEFAULTS = {
    "OPS_CACHE_ALIAS": "default",         # the django-redis cache CacheService and namespaces use
    "OPS_CACHE_TIMEOUT": 300,             # seconds an entry lives when no ttl is given
    "OPS_CACHE_RESPONSES": True,          # response caching on/off (namespaced caches bypass when off)
    "OPS_CACHE_ERROR_LOG_INTERVAL": 10,   # seconds between two "Redis unavailable" warnings per process
}
app_settings = AppSettings(DEFAULTS)


def alias() -> str:
    return app_settings.OPS_CACHE_ALIAS


def default_timeout() -> int:
    return int(app_settings.OPS_CACHE_TIMEOUT)


def responses_enabled() -> bool:
    return bool(app_settings.OPS_CACHE_RESPONSES)


def error_log_interval() -> float:
    return float(app_settings.OPS_CACHE_ERROR_LOG_INTERVAL)
