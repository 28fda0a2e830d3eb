"""The Redis the health app talks to (the Redis check, the Celery heartbeat): the client of a
django-redis cache (HEALTH_REDIS_CACHE), else a plain client for REDIS_URL (ops.cache.client)."""
from ops.cache.client import is_redis_cache, redis_client, url_client

from . import conf


def cache_alias(alias: str | None = None) -> str | None:
    """The django-redis cache to go through, or None when there is none (REDIS_URL is used)."""
    alias = alias or conf.redis_cache_alias()
    return alias if is_redis_cache(alias) else None


def client(alias: str | None = None, *, timeout: float | None = None):
    """A Redis client; `timeout` (default HEALTH_TIMEOUT) bounds a plain client's connect and commands."""
    cache = cache_alias(alias)
    if cache is not None:
        return redis_client(cache)
    return url_client(conf.redis_server_url(), timeout=conf.timeout() if timeout is None else timeout)
