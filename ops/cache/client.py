"""The one place a Redis client is built.

`redis_client(alias)`: the raw redis-py client behind a django-redis cache alias. The alias carries
the deployment's shape (single server, Sentinel master, Cluster: see ops/redis_settings.py), so every
user that goes through here follows a Sentinel failover. `host_client`: a client (blocking or asyncio)
for a channels-redis host description — an address URL or a Sentinel master — for what talks to the
channel layer's Redis (ops.realtime); `url_client` is that for a plain URL, for projects without a
django-redis cache (an ops app installed on its own).
"""
import functools

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel
from django.conf import settings
from django.core.cache import caches
from django_redis import get_redis_connection
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry


def redis_client(alias: str):
    """The client for writes (the master under Sentinel) of the django-redis cache `alias`.

    Raises one of `errors.REDIS_ERRORS` when the client cannot be built (an unreachable cluster).
    """
    return get_redis_connection(alias, write=True)


def is_redis_cache(alias: str) -> bool:
    """True when `alias` is a django-redis cache (so `redis_client(alias)` can serve it)."""
    return getattr(settings, "CACHES", {}).get(alias, {}).get("BACKEND", "").startswith("django_redis.")


@functools.lru_cache(maxsize=4)
def url_client(url: str, *, timeout: float):
    """A plain client for `url`, for a project that has no django-redis cache to go through."""
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def host_client(host: dict, *, asynchronous: bool = False, resilient: bool = True, **options):
    """A client with its own pool for a channels-redis host: {"address": url, ...} or a Sentinel master
    ({"master_name", "sentinels", "sentinel_kwargs", ...}), as channels-redis' create_pool reads it.

    `resilient`: after a Redis restart pooled connections are dead, so reconnect and retry (three
    times, on connection errors only: a timed-out INCR may have been applied). `options` go to the pool
    (socket timeouts).
    """
    lib = redis.asyncio if asynchronous else redis
    host = {**options, **host}
    if resilient:
        retry = (AsyncRetry if asynchronous else Retry)(ExponentialBackoff(cap=0.5, base=0.05), 3)
        host.update(retry=retry, retry_on_error=[RedisConnectionError])
    if "address" in host:
        pool = lib.ConnectionPool.from_url(host.pop("address"), **host)
    else:
        master, sentinels = host.pop("master_name"), host.pop("sentinels")
        sentinel = lib.sentinel.Sentinel(sentinels, sentinel_kwargs=host.pop("sentinel_kwargs", None))
        pool = lib.sentinel.SentinelConnectionPool(master, sentinel, **host)
    return lib.Redis(connection_pool=pool)


def make_key(alias: str, key: str) -> str:
    """`key` with the cache's KEY_PREFIX and version, as django-redis would store it."""
    return str(caches[alias].client.make_key(key))
