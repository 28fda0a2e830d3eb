"""The one place a Redis client is built: the raw redis-py client behind a django-redis cache alias.

The cache alias carries the deployment's shape (single server, Sentinel master, Cluster: see
ops/redis_settings.py), so every user that goes through here follows a Sentinel failover. `url_client`
is only for projects without a django-redis cache (an ops app installed on its own).
"""
import functools

from django.core.cache import caches
from django_redis import get_redis_connection


def redis_client(alias: str):
    """The client for writes (the master under Sentinel) of the django-redis cache `alias`.

    Raises one of `errors.REDIS_ERRORS` when the client cannot be built (an unreachable cluster).
    """
    return get_redis_connection(alias, write=True)


def is_redis_cache(alias: str) -> bool:
    """True when `alias` is a django-redis cache (so `redis_client(alias)` can serve it)."""
    from django.conf import settings

    return getattr(settings, "CACHES", {}).get(alias, {}).get("BACKEND", "").startswith("django_redis.")


@functools.lru_cache(maxsize=4)
def url_client(url: str, *, timeout: float):
    """A plain client for `url`, for a project that has no django-redis cache to go through."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def make_key(alias: str, key: str) -> str:
    """`key` with the cache's KEY_PREFIX and version, as django-redis would store it."""
    return str(caches[alias].client.make_key(key))
