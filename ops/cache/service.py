"""CacheService: JSON values with a TTL on the django-redis cache.

    from ops.cache.service import CacheService
    CacheService.set("user:123", data, 3600); CacheService.get("user:123"); CacheService.delete(...)

`CacheService` is a `JSONCache` on the alias OPS_CACHE_ALIAS; build another `JSONCache(alias=...)`
for another cache.

Values are stored as JSON text (DjangoJSONEncoder: dates, decimals and UUIDs become strings),
so anything read back is plain JSON data, whoever wrote it. Redis being down never raises: get misses,
set/delete report False, get_or_set computes.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from . import conf, metrics
from .client import make_key, redis_client
from .errors import REDIS_ERRORS, warn_unavailable

logger = logging.getLogger("ops.cache")

MISSING = object()


class JSONCache:
    """JSON values with a TTL on one django-redis cache alias (OPS_CACHE_ALIAS when None).

    Keys get the cache's KEY_PREFIX and version like any Django cache key; values are stored
    as UTF-8 JSON text through the alias' redis-py client (readable by any Redis client).
    """

    def __init__(self, alias: str | None = None, namespace: str = "service"):
        self.alias = alias
        self.namespace = namespace

    def _alias(self) -> str:
        return self.alias or conf.alias()

    def _client_and_key(self, key: str):
        alias = self._alias()
        return redis_client(alias), make_key(alias, key)

    def set(self, key: str, value: Any, ttl: int | None = None) -> bool:
        """Store `value` (JSON-serialisable) for `ttl` seconds (OPS_CACHE_TIMEOUT when None; ≤ 0 deletes)."""
        ttl = conf.default_timeout() if ttl is None else int(ttl)
        if ttl <= 0:
            self.delete(key)
            return True
        text = json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))
        try:
            client, full_key = self._client_and_key(key)
            return bool(client.set(full_key, text.encode(), ex=ttl))
        except REDIS_ERRORS as exc:
            return self._unavailable(exc, False)

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under `key`, or `default` when absent, expired or Redis is down."""
        value = self._get(key)
        return default if value is MISSING else value

    def delete(self, key: str) -> bool:
        """Remove `key`; True when it existed."""
        try:
            client, full_key = self._client_and_key(key)
            return bool(client.delete(full_key))
        except REDIS_ERRORS as exc:
            return self._unavailable(exc, False)

    def get_or_set(self, key: str, compute: Callable[[], Any], ttl: int | None = None) -> Any:
        """The cached value, or `compute()` stored for `ttl` seconds and returned."""
        value = self._get(key)
        if value is not MISSING:
            metrics.hit(self.namespace)
            return value
        metrics.miss(self.namespace)
        value = compute()
        self.set(key, value, ttl)
        return value

    def _get(self, key: str) -> Any:
        try:
            client, full_key = self._client_and_key(key)
            raw = client.get(full_key)
        except REDIS_ERRORS as exc:
            return self._unavailable(exc, MISSING)
        if raw is None:  # a stored null is the text "null", so None only means absent
            return MISSING
        return json.loads(raw)

    def _unavailable(self, exc: BaseException, result: Any) -> Any:
        metrics.error(self.namespace)
        warn_unavailable(logger, "cache", exc)
        return result


CacheService = JSONCache()
