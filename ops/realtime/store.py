"""The Redis that holds sequence counters and presence: REALTIME_REDIS_URL, or else the
channel layer's first host, so a Sentinel-configured layer brings Sentinel here too."""
from __future__ import annotations

import asyncio
import weakref

from channels_redis.utils import create_pool, decode_hosts
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from . import conf

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def host_config() -> dict:
    """channels-redis style host kwargs ({"address": url} or a Sentinel dict)."""
    if conf.redis_url():
        return {"address": conf.redis_url()}
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get(conf.layer_alias())
    hosts = (layer or {}).get("CONFIG", {}).get("hosts")
    if not hosts:
        raise ImproperlyConfigured("ops.realtime needs REALTIME_REDIS_URL or a channels-redis layer with hosts")
    return decode_hosts(hosts)[0]


def client() -> aioredis.Redis:
    """An asyncio Redis client bound to the running event loop (one pool per loop and host)."""
    host = host_config()
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    name = repr(sorted(host.items()))
    if name not in per_loop:
        # After a Redis restart pooled connections are dead: reconnect and retry, on
        # connection errors only (a timed-out INCR may have been applied).
        resilient = {**host, "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
                     "retry_on_error": [RedisConnectionError]}
        per_loop[name] = aioredis.Redis(connection_pool=create_pool(resilient))
    return per_loop[name]


async def bounded(awaitable):
    """Await a Redis call for at most REALTIME_SEND_TIMEOUT seconds (a hung Redis raises TimeoutError)."""
    return await asyncio.wait_for(awaitable, conf.send_timeout())


def key(*parts: str) -> str:
    return conf.key_prefix() + ":".join(parts)
