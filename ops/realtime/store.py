"""The Redis that holds sequence counters and presence: REALTIME_REDIS_URL, or else the
channel layer's first host, so a Sentinel-configured layer brings Sentinel here too."""
from __future__ import annotations

import asyncio
import os
import threading
import weakref

import redis
from channels_redis.utils import decode_hosts
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from redis import asyncio as aioredis

from ops.cache.client import host_client

from . import conf

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def host_config() -> dict:
    """channels-redis style host kwargs ({"address": url} or a Sentinel dict)."""
    if conf.redis_url():
        return {"address": conf.redis_url()}
    hosts = layer_hosts()
    if not hosts:
        raise ImproperlyConfigured("ops.realtime needs REALTIME_REDIS_URL or a channels-redis layer with hosts")
    return hosts[0]


def layer_config() -> dict:
    """The CHANNEL_LAYERS entry broadcasts go through ({} when there is none)."""
    return getattr(settings, "CHANNEL_LAYERS", {}).get(conf.layer_alias()) or {}


def layer_hosts() -> list[dict]:
    """The channel layer's hosts as channels-redis reads them."""
    hosts = layer_config().get("CONFIG", {}).get("hosts")
    return decode_hosts(hosts) if hosts else []


def client() -> aioredis.Redis:
    """An asyncio Redis client bound to the running event loop (one pool per loop and host)."""
    host = host_config()
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    name = repr(sorted(host.items()))
    if name not in per_loop:
        per_loop[name] = host_client(host, asynchronous=True)
    return per_loop[name]


_sync_clients: dict[tuple[int, float, str], redis.Redis] = {}
_sync_lock = threading.Lock()


def sync_client(host: dict | None = None) -> redis.Redis:
    """A blocking client for `host` (default: host_config()) for sync callers — views, services,
    Celery tasks — one pool per process and host (ops.cache.client.host_client). Each command waits
    at most REALTIME_SEND_TIMEOUT; dead pooled connections are retried, on connection errors only."""
    host, timeout = dict(host or host_config()), conf.send_timeout()
    # A forked worker must not share its parent's sockets; a changed timeout needs a new pool.
    key = (os.getpid(), timeout, repr(sorted(host.items())))
    found = _sync_clients.get(key)
    if found is not None:
        return found
    with _sync_lock:
        if key not in _sync_clients:
            _sync_clients[key] = host_client(host, socket_timeout=timeout, socket_connect_timeout=timeout)
        return _sync_clients[key]


async def bounded(awaitable):
    """Await a Redis call for at most REALTIME_SEND_TIMEOUT seconds (a hung Redis raises TimeoutError)."""
    return await asyncio.wait_for(awaitable, conf.send_timeout())


def key(*parts: str) -> str:
    return conf.key_prefix() + ":".join(parts)
