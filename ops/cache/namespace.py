"""A namespace of cached values that one write invalidates at once, for every process.

    pages = VersionedNamespace("wiki")
    value = pages.get_or_set(["list", user_key, url], compute)   # read path
    pages.invalidate()                                         # after every write (commit)

The namespace has a generation counter in Redis. Each entry is stored with the generation
read *before* its value was computed, and a lookup fetches the counter and the entry in one
round trip (MGET): an entry is served only while its generation is still current. A write
INCRs the counter after commit, so from the moment the writer's response is sent, no
process can serve what was cached before it — not even a value computed concurrently
from pre-write data, which carries the old generation.

All keys of a namespace share one `{hash tag}`, so the MGET stays on one Redis Cluster slot.
Redis unavailable: lookups compute (counted as errors) and invalidate() cannot bump. So a
process that saw Redis fail bumps the generation once when Redis answers again, before it
serves anything: a write made during the outage cannot leave older entries current.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from . import conf, metrics
from .client import make_key, redis_client
from .errors import REDIS_ERRORS, warn_unavailable

logger = logging.getLogger("ops.cache")


class VersionedNamespace:
    def __init__(self, name: str, *, ttl: int | None = None, alias: str | None = None):
        self.name = name
        self.ttl = ttl
        self.alias = alias
        self._missed_invalidation = False  # Redis failed here: bump once it answers again

    # --- keys -------------------------------------------------------------
    def _alias(self) -> str:
        return self.alias or conf.alias()

    def generation_key(self) -> str:
        return make_key(self._alias(), f"{{{self.name}}}:generation")

    def entry_key(self, parts: Iterable[Any]) -> str:
        digest = hashlib.blake2b(json.dumps(list(parts), default=str).encode(), digest_size=16).hexdigest()
        return make_key(self._alias(), f"{{{self.name}}}:entry:{digest}")

    # --- reads ------------------------------------------------------------
    def get_or_set(self, parts: Iterable[Any], compute: Callable[[], Any]) -> Any:
        """The cached value for `parts` at the current generation, else `compute()` (then cached).

        `compute()` must return JSON-serialisable data (DjangoJSONEncoder); what is returned
        on a hit is that data as JSON decodes it.
        """
        if not conf.responses_enabled():
            return compute()
        try:
            client = redis_client(self._alias())
            key = self.entry_key(parts)
            generation, raw = client.mget([self.generation_key(), key])
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return compute()
        generation = int(generation or 0)
        if self._missed_invalidation:
            generation, raw = self._recover(client, generation), None
        value = self._decode(raw, generation)
        if value is not None:
            metrics.hit(self.name)
            return value[0]
        metrics.miss(self.name)
        value = compute()
        self._store(client, key, generation, value)
        return value

    def _recover(self, client, generation: int) -> int:
        try:
            generation = int(client.incr(self.generation_key()))
            self._missed_invalidation = False
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
        return generation

    def _decode(self, raw: bytes | None, generation: int) -> tuple[Any] | None:
        """(value,) when `raw` was stored at `generation`, else None."""
        if raw is None:
            return None
        stored, _, text = raw.partition(b":")
        if not stored.isdigit() or int(stored) != generation:
            return None
        return (json.loads(text),)

    def _store(self, client, key: str, generation: int, value: Any) -> None:
        text = json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"))
        ttl = conf.default_timeout() if self.ttl is None else self.ttl
        try:
            client.set(key, f"{generation}:{text}".encode(), ex=ttl)
        except REDIS_ERRORS as exc:
            self._unavailable(exc)

    # --- writes -----------------------------------------------------------
    def invalidate(self) -> int | None:
        """Make every entry of the namespace stale (INCR the generation); the new generation.

        Returns None when Redis is unavailable: nothing could be cached meanwhile either,
        except entries written before the outage, which expire after their TTL.
        """
        try:
            generation = int(redis_client(self._alias()).incr(self.generation_key()))
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return None
        self._missed_invalidation = False
        return generation

    def _unavailable(self, exc: BaseException) -> None:
        self._missed_invalidation = True
        metrics.error(self.name)
        warn_unavailable(logger, "cache", exc)
