"""The backups' Redis keys: where they live, their names, and holding them alive.

Every key has an expiry that a keeper thread renews while its holder lives, so a holder killed
with SIGKILL blocks nobody for longer than BACKUP_LOCK_TIMEOUT seconds.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import redis
from redis.exceptions import LockError

from ops.cache.client import redis_client
from ops.cache.errors import REDIS_ERRORS

from . import conf


def client() -> redis.Redis:
    """The master of BACKUP_REDIS_CACHE's Redis: the keys follow a Sentinel failover."""
    return redis_client(conf.redis_cache())


def key(*parts: str) -> str:
    return conf.key_prefix() + ":".join(parts)


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
                for name in self.keys:
                    self.conn.expire(name, self.ttl)
            except (LockError, *REDIS_ERRORS):
                continue  # Redis blipped: try again next round; expiry still bounds the damage


@contextmanager
def held(conn, lock, ttl: int, keys: list[str]):
    """Set `keys`, renew them (and `lock`) while the block runs; delete them and release after."""
    for name in keys:
        conn.set(name, "1", ex=ttl)
    keeper = _Keeper(lock, keys, ttl, conn)
    keeper.start()
    try:
        yield
    finally:
        keeper.stopped.set()
        keeper.join()
        for name in keys:
            conn.delete(name)
        if lock is not None:
            try:
                lock.release()
            except LockError:
                pass  # expired while we were stalled; someone else may hold it now
