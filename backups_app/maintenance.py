"""Maintenance mode: the site refuses writes (see middleware) while a restore runs."""
from __future__ import annotations

from contextlib import contextmanager

import redis

from . import conf, keys


def key() -> str:
    return keys.key("maintenance")


@contextmanager
def during():
    """Refuse writes site-wide while the block runs; expires if the holder dies."""
    with keys.held(keys.client(), None, conf.lock_timeout(), [key()]):
        yield


def set_maintenance(on: bool, *, ttl: int | None = None) -> None:
    """Turn maintenance on (with an expiry) or off outside of a lock (operators, tests)."""
    conn = keys.client()
    if on:
        conn.set(key(), "1", ex=ttl or conf.lock_timeout())
    else:
        conn.delete(key())


def in_maintenance(conn: redis.Redis | None = None) -> bool:
    return bool((conn or keys.client()).exists(key()))
