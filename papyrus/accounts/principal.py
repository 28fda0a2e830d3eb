"""Who a valid access token names, in one Redis round trip and (usually) no database query.

Every authenticated API request needs the user (id, name, email, is_staff, is_active) and, for
the wiki's permission checks, the user's teams and roles (a *part* the wiki registers with
`register_part`). Both are cached per user in an
ops.cache namespace ("auth") and fetched in the same pipeline as the revocation check of the
token's session (revocation.py), so a signed-in request costs what an anonymous one does plus one
round trip that it paid for the revocation check anyway.

Freshness: a save or delete of the user (papyrus.accounts.receivers), or of anything a part holds (its owner
calls `invalidate_user`, as the wiki does for memberships), bumps that user's scope after commit; a
restore bumps the whole namespace (receivers.py calls `invalidate_all`). Entries are stamped with the generations read before
the database was, so a lookup racing a change never caches the old state as current (see
ops.cache.namespace). Writes that bypass the ORM's signals (QuerySet.update() of users or
memberships) must call `invalidate_user`.

The password hash, last_login and date_joined are not cached: they are deferred fields of the
user built here, loaded from the database only if something reads them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from ops.cache.namespace import VersionedNamespace

from . import conf
from .revocation import revoked_key

CACHED_FIELDS = ("id", "name", "email", "is_active", "is_staff", "is_superuser")
TTL_SECONDS = 300

_namespaces: dict[str, VersionedNamespace] = {}
_parts: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {}


def register_part(name: str, *, compute: Callable[[Any], Any], convert: Callable[[Any], Any]) -> None:
    """Cache `compute(user_id)` (JSON data) with the principal; the user gets attribute `name` =
    `convert(data)` on every request. The registering app calls invalidate_user when it changes."""
    _parts[name] = (compute, convert)


def without_snapshot(user):
    """`user` without the parts' request-time snapshot, for holders that outlive a request (a
    WebSocket consumer): their checks then read the database as it is at each check."""
    for name in _parts:
        vars(user).pop(name, None)
    return user


def _namespace() -> VersionedNamespace:
    alias = conf.revocation_alias()  # one client, so the revocation check shares the round trip
    if alias not in _namespaces:
        _namespaces[alias] = VersionedNamespace("auth", ttl=TTL_SECONDS, alias=alias, enabled=lambda: True)
    return _namespaces[alias]


def _scope(user_id) -> str:
    return f"user:{user_id}"


def _compute(user_id) -> dict | None:
    row = get_user_model().objects.filter(pk=user_id).values(*CACHED_FIELDS).first()
    if row is None:
        return None
    return {"user": row, **{name: compute(user_id) for name, (compute, _) in _parts.items()}}


def _build(data: dict):
    model, fields = get_user_model(), data["user"]
    names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]  # from_db's order
    user = model.from_db(connection.alias, names, [fields[name] for name in names])
    for name, (_, convert) in _parts.items():
        if name in data:
            setattr(user, name, convert(data[name]))
    return user


def lookup(user_id, sid: str | None):
    """(revoked, user): whether the token's session `sid` was ended, and the user (None when
    there is no such user). Redis unavailable: not revoked (fails open, as revocation.py
    documents) and the user from the database."""
    def along(pipe):
        if sid:
            pipe.exists(revoked_key(sid))

    data, results = _namespace().get_or_set_along(("principal", str(user_id)), lambda: _compute(user_id),
                                                  scopes=[_scope(user_id)], along=along)
    revoked = bool(sid and results and results[0])
    return revoked, (None if data is None else _build(data))


def invalidate_user(user_id) -> None:
    """Every cached principal of `user_id` is stale in every process: now, and again after commit
    (a lookup between the two may have cached the state the transaction is replacing)."""
    _namespace().invalidate(_scope(user_id))
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _namespace().invalidate(_scope(user_id)))


def invalidate_all() -> bool:
    """Every cached principal is stale (after a database restore); False if Redis failed."""
    return _namespace().invalidate() is not None



