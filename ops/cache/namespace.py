"""A namespace of cached values, invalidated all at once or one *scope* at a time, for every process.

    pages = VersionedNamespace("wiki")
    value = pages.get_or_set(["list", user_key, url], compute, scopes=["public"])   # read path
    pages.invalidate("public", "page:7")     # after a write (commit): only what it changed
    pages.invalidate()                       # everything (after a restore, a rename...)
    pages.invalidate_new("page:8", "public", parts=["page", 8], value=data)  # a create: also store

The namespace has a generation counter in Redis, and each scope one more. An entry is stored
with the generations of the namespace and of its scopes read *before* its value was computed
(its stamp), and a lookup fetches those counters and the entry in one round trip (MGET): an
entry is served only while its stamp is still current. A write INCRs the counters of the
scopes it touched after commit, so from the moment the writer's response is sent, no process
can serve what was cached before it under those scopes — not even a value computed
concurrently from pre-write data, which carries the old stamp — while entries of the other
scopes stay current.

All keys of a namespace share one `{hash tag}`, so the MGET stays on one Redis Cluster slot.
Generation keys have no TTL (entries do): keep Redis' maxmemory policy `noeviction` or
`volatile-*`, so a counter is never evicted and restarted under an entry stamped with it.
Redis unavailable: lookups compute (counted as errors) and invalidate() cannot bump. So a
process that saw Redis fail bumps the namespace generation once when Redis answers again,
before it serves anything: a write made during the outage cannot leave older entries current.
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
    def __init__(self, name: str, *, ttl: int | None = None, alias: str | None = None,
                 enabled: Callable[[], bool] | None = None):
        self.name = name
        self.ttl = ttl
        self.alias = alias
        self.enabled = enabled or conf.responses_enabled  # read at call time
        self._missed_invalidation = False  # Redis failed here: bump once it answers again

    # --- keys -------------------------------------------------------------
    def _alias(self) -> str:
        return self.alias or conf.alias()

    def generation_key(self) -> str:
        return make_key(self._alias(), f"{{{self.name}}}:generation")

    def scope_key(self, scope: str) -> str:
        return make_key(self._alias(), f"{{{self.name}}}:scope:{scope}")

    def entry_key(self, parts: Iterable[Any]) -> str:
        digest = hashlib.blake2b(json.dumps(list(parts), default=str).encode(), digest_size=16).hexdigest()
        return make_key(self._alias(), f"{{{self.name}}}:entry:{digest}")

    # --- reads ------------------------------------------------------------
    def get_or_set(self, parts: Iterable[Any], compute: Callable[[], Any], *, scopes: Iterable[str] = ()) -> Any:
        """The cached value for `parts` while the namespace and `scopes` are unchanged, else
        `compute()` (then cached). Name every scope a write that changes the value invalidates.

        `compute()` must return JSON-serialisable data (DjangoJSONEncoder); what is returned
        on a hit is that data as JSON decodes it.
        """
        found = self._lookup(parts, scopes) if self.enabled() else None
        if found is None:
            return compute()
        return self._serve(*found, compute)

    def get_or_set_along(self, parts: Iterable[Any], compute: Callable[[], Any], *, scopes: Iterable[str] = (),
                         along: Callable[[Any], None]) -> tuple[Any, list | None]:
        """get_or_set, with the commands `along(pipeline)` queues sent in the same round trip
        (e.g. a revocation check beside a cached principal): (value, their results), the results
        None when Redis failed. `along`'s keys may live in other Cluster slots (a pipeline)."""
        scopes = list(scopes)
        try:
            client = redis_client(self._alias())
            key = self.entry_key(parts)
            pipe = client.pipeline(transaction=False)
            along(pipe)
            queued = len(pipe)
            if self.enabled():
                pipe.mget([self.generation_key(), *map(self.scope_key, scopes), key])
            results = pipe.execute()
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return compute(), None
        if not self.enabled():
            return compute(), results
        *generations, raw = results[queued]
        return self._serve(client, key, generations, raw, compute), results[:queued]

    def peek(self, parts: Iterable[Any], *, scopes: Iterable[str] = ()) -> tuple[Any, Callable[[Any], None] | None]:
        """get_or_set in two halves, for a value computed elsewhere (e.g. by the rest of a server):
        (the current value or None, a function storing a value computed from now on under the
        generations read here — None on a hit, with the cache off or Redis unavailable).

        A write between this lookup and the store leaves what is stored stale, as in get_or_set.
        """
        found = self._lookup(parts, scopes) if self.enabled() else None
        if found is None:
            return None, None
        client, key, generations, raw = found
        stamp, value = self._cached(client, generations, raw)
        if value is not None:
            return value[0], None
        return None, lambda computed: self._store(client, key, stamp, computed)

    def peek_many(self, entries: list[tuple[Iterable[Any], Iterable[str]]]
                  ) -> tuple[list[Any], Callable[[dict[int, Any]], None] | None]:
        """peek for many entries ([(parts, scopes), ...]) in one MGET: (their current values, None
        for a miss; a function storing {index: value computed from now on} in one pipeline, each
        under the generations read here — None with the cache off or Redis unavailable)."""
        if not entries:
            return [], None
        if not self.enabled():
            return [None] * len(entries), None
        keys, spans, entry_keys = [self.generation_key()], [], []
        for parts, scopes in entries:
            scope_keys = [self.scope_key(scope) for scope in scopes]
            spans.append((len(keys), len(scope_keys)))
            entry_keys.append(self.entry_key(parts))
            keys += [*scope_keys, entry_keys[-1]]
        try:
            client = redis_client(self._alias())
            found = client.mget(keys)
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return [None] * len(entries), None
        recovered = self._missed_invalidation
        if recovered:  # nothing stored before the outage may be served: one new generation for all
            found[0] = self._recover(client, [found[0]])
        values, stamps = [], []
        for start, count in spans:
            stamp = self._stamp([found[0], *found[start:start + count]])
            value = None if recovered else self._decode(found[start + count], stamp)
            values.append(value[0] if value is not None else None)
            stamps.append(stamp)
        missed = values.count(None)
        metrics.hit(self.name, len(values) - missed)  # each entry counts, as a lookup of its own would
        metrics.miss(self.name, missed)

        def store(computed: dict[int, Any]) -> None:
            if not computed:
                return
            try:
                pipe = client.pipeline(transaction=False)
                for index, value in computed.items():
                    self._set(pipe, entry_keys[index], stamps[index], value)
                pipe.execute()
            except REDIS_ERRORS as exc:
                self._unavailable(exc)
        return values, store

    def _lookup(self, parts: Iterable[Any], scopes: Iterable[str]) -> tuple | None:
        """(client, entry key, generations, stored entry) in one MGET; None when Redis is unavailable."""
        try:
            client = redis_client(self._alias())
            key = self.entry_key(parts)
            *generations, raw = client.mget([self.generation_key(), *map(self.scope_key, scopes), key])
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return None
        return client, key, generations, raw

    def _serve(self, client, key: str, generations: list, raw: bytes | None, compute: Callable[[], Any]) -> Any:
        stamp, value = self._cached(client, generations, raw)
        if value is not None:
            return value[0]
        value = compute()
        self._store(client, key, stamp, value)
        return value

    def _cached(self, client, generations: list, raw: bytes | None) -> tuple[bytes, tuple[Any] | None]:
        """(the stamp a value computed now is stored under, (value,) on a hit or None), counted."""
        stamp = self._stamp(generations)
        if self._missed_invalidation:
            stamp, raw = self._recover(client, generations), None
        value = self._decode(raw, stamp)
        (metrics.hit if value is not None else metrics.miss)(self.name)
        return stamp, value

    @staticmethod
    def _stamp(generations: list) -> bytes:
        return b".".join(g or b"0" for g in generations)

    def _recover(self, client, generations: list) -> bytes:
        try:
            generations[0] = str(int(client.incr(self.generation_key()))).encode()
            self._missed_invalidation = False
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
        return self._stamp(generations)

    def _decode(self, raw: bytes | None, stamp: bytes) -> tuple[Any] | None:
        """(value,) when `raw` was stored under `stamp`, else None."""
        if raw is None:
            return None
        stored, _, text = raw.partition(b":")
        if stored != stamp:
            return None
        return (json.loads(text),)

    def _encoded(self, value: Any) -> tuple[str, int]:
        """(the JSON stored after an entry's stamp, the entry's TTL): one format for every writer."""
        return (json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":")),
                conf.default_timeout() if self.ttl is None else self.ttl)

    def _store(self, client, key: str, stamp: bytes, value: Any) -> None:
        try:
            self._set(client, key, stamp, value)
        except REDIS_ERRORS as exc:
            self._unavailable(exc)

    def _set(self, client, key: str, stamp: bytes, value: Any) -> None:
        """SET the entry as `stamp:JSON` with its TTL, on a client or a pipeline (peek_many's)."""
        text, ttl = self._encoded(value)
        client.set(key, stamp + b":" + text.encode(), ex=ttl)

    # --- writes -----------------------------------------------------------
    def invalidate(self, *scopes: str) -> int | None:
        """Make stale every entry of `scopes` (INCR their generations, in one round trip), or of
        the whole namespace when no scope is named; the last new generation.

        Returns None when Redis is unavailable: nothing could be cached meanwhile either,
        except entries written before the outage, which expire after their TTL.
        """
        try:
            client = redis_client(self._alias())
            if scopes:
                pipe = client.pipeline(transaction=False)
                for scope in scopes:
                    pipe.incr(self.scope_key(scope))
                generation = int(pipe.execute()[-1])
            else:
                generation = int(client.incr(self.generation_key()))
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return None
        if not scopes:
            self._missed_invalidation = False
        return generation

    # KEYS: the namespace generation, the new object's own scope, other scopes, the entry.
    # ARGV: the entry's JSON, its TTL. Returns the own scope's new generation.
    _PRIME_NEW = """
local own = redis.call('INCR', KEYS[2])
for i = 3, #KEYS - 1 do redis.call('INCR', KEYS[i]) end
if own == 1 then
  local generation = redis.call('GET', KEYS[1]) or '0'
  redis.call('SET', KEYS[#KEYS], generation .. '.' .. own .. ':' .. ARGV[1], 'EX', ARGV[2])
end
return own
"""
    _prime_script = None

    def invalidate_new(self, own_scope: str, *scopes: str, parts: Iterable[Any], value: Any) -> int | None:
        """invalidate(own_scope, *scopes) after a write that *created* an object, and in the same round
        trip store `value` as the entry `parts` of scopes [own_scope] — what the next
        get_or_set(parts, ..., scopes=[own_scope]) would compute, so the object's first read (the
        creator's, usually) is a hit.

        Stored only when this INCR of `own_scope` is its first ever (generation 1): any other write to
        the object either bumped before (then nothing is stored) or bumps after (then the entry is
        stale). One EVALSHA (all keys share the namespace's hash tag); None when Redis is unavailable.
        """
        if not self.enabled():
            return self.invalidate(own_scope, *scopes)
        text, ttl = self._encoded(value)
        keys = [self.generation_key(), self.scope_key(own_scope), *map(self.scope_key, scopes), self.entry_key(parts)]
        try:
            client = redis_client(self._alias())
            if VersionedNamespace._prime_script is None:
                VersionedNamespace._prime_script = client.register_script(self._PRIME_NEW)
            return int(VersionedNamespace._prime_script(keys=keys, args=[text, ttl], client=client))
        except REDIS_ERRORS as exc:
            self._unavailable(exc)
            return None

    def _unavailable(self, exc: BaseException) -> None:
        self._missed_invalidation = True
        metrics.error(self.name)
        warn_unavailable(logger, "cache", exc)
