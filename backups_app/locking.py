"""Coordination through Redis: one backup/restore at a time, files in use, maintenance mode.

Every key has an expiry that a keeper thread renews while its holder lives, so a holder killed
with SIGKILL blocks nobody for longer than BACKUP_LOCK_TIMEOUT seconds.
"""
from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager

import redis
from redis.exceptions import LockError

from ops.cache.client import redis_client
from ops.cache.errors import REDIS_ERRORS

from . import conf
from .errors import Busy  # noqa: F401 - raised here, re-exported


def client() -> redis.Redis:
    """The master of BACKUP_REDIS_CACHE's Redis: the lock follows a Sentinel failover."""
    return redis_client(conf.redis_cache())


def _key(*parts: str) -> str:
    return conf.key_prefix() + ":".join(parts)


def holder_id(what: str) -> str:
    return f"{what} by {socket.gethostname()}:{os.getpid()}"


class _Keeper(threading.Thread):
    """Renews the lock and the extra keys every timeout/3 seconds until stopped."""

    def __init__(self, lock, keys: list[str], ttl: int, conn: redis.Redis):
        super().__init__(daemon=True, name="backup-lock-keeper")
        self.lock, self.keys, self.ttl, self.conn = lock, keys, ttl, conn
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(self.ttl / 3):
            try:
                if self.lock is not None:
                    self.lock.extend(self.ttl, replace_ttl=True)
                for key in self.keys:
                    self.conn.expire(key, self.ttl)
            except (LockError, *REDIS_ERRORS):
                continue  # Redis blipped: try again next round; expiry still bounds the damage


@contextmanager
def exclusive(what: str, *, wait: float = 0, in_use: str | None = None, maintenance: bool = False):
    """Hold the single backup/restore lock; optionally mark a file in use and the site in maintenance.

    Raises Busy when another holder keeps it for longer than `wait` seconds.
    """
    conn = client()
    ttl = conf.lock_timeout()
    lock = conn.lock(_key("lock"), timeout=ttl, blocking=wait > 0, blocking_timeout=wait or None,
                     thread_local=False)
    token = holder_id(what).encode()
    if not lock.acquire(token=token) and not (_break_if_dead(conn) and lock.acquire(token=token)):
        raise Busy(f"another backup or restore is running ({current_holder() or 'unknown holder'})")
    with _marked(conn, lock, ttl, in_use=in_use, maintenance=maintenance):
        yield lock


@contextmanager
def using(name: str):
    """Mark `name` in use (retention will not delete it) without taking the global lock."""
    conn = client()
    with _marked(conn, None, conf.lock_timeout(), in_use=name, maintenance=False):
        yield


@contextmanager
def _marked(conn, lock, ttl: int, *, in_use: str | None, maintenance: bool):
    keys = []
    if in_use:
        keys.append(_key("in-use", in_use))
    if maintenance:
        keys.append(_key("maintenance"))
    for key in keys:
        conn.set(key, "1", ex=ttl)
    keeper = _Keeper(lock, keys, ttl, conn)
    keeper.start()
    try:
        yield
    finally:
        keeper.stopped.set()
        keeper.join()
        for key in keys:
            conn.delete(key)
        if lock is not None:
            try:
                lock.release()
            except LockError:
                pass  # expired while we were stalled; someone else may hold it now


def set_maintenance(on: bool, *, ttl: int | None = None) -> None:
    """Turn maintenance on (with an expiry) or off outside of a lock (operators, tests)."""
    conn = client()
    if on:
        conn.set(_key("maintenance"), "1", ex=ttl or conf.lock_timeout())
    else:
        conn.delete(_key("maintenance"))


def _holder_is_dead(holder: str) -> bool:
    """True only when the holder ran on this host and its process is gone (SIGKILL, OOM...)."""
    host, _, pid = holder.rpartition(" by ")[2].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine: only the expiry can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _break_if_dead(conn: redis.Redis) -> bool:
    """Delete the lock if its holder is a dead process of this host (compare-and-delete on the token)."""
    holder = conn.get(_key("lock"))
    if not holder or not _holder_is_dead(holder.decode("utf-8", "replace")):
        return False
    script = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
    return bool(conn.eval(script, 1, _key("lock"), holder))


def busy() -> bool:
    """A live holder has the lock (a dead one on this host does not count)."""
    holder = current_holder()
    return bool(holder) and not _holder_is_dead(holder)


def current_holder() -> str | None:
    value = client().get(_key("lock"))
    return value.decode("utf-8", "replace") if value else None


def is_locked() -> bool:
    return current_holder() is not None


def in_use_names() -> set[str]:
    prefix = _key("in-use", "")
    return {k.decode()[len(prefix):] for k in client().scan_iter(match=prefix + "*")}


def in_maintenance(conn: redis.Redis | None = None) -> bool:
    return bool((conn or client()).exists(_key("maintenance")))


@contextmanager
def maintenance():
    """Refuse writes site-wide (see middleware) while the block runs; expires if the holder dies."""
    conn = client()
    with _marked(conn, None, conf.lock_timeout(), in_use=None, maintenance=True):
        yield
