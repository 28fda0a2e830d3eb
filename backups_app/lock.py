"""One backup, restore or cleanup at a time across all processes: a Redis lock with an expiry
its holder renews (keys.held); a holder that died on this host is detected at once."""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager

import redis

from . import conf, in_use, keys, maintenance
from .errors import Busy


def _key() -> str:
    return keys.key("lock")


def holder_id(what: str) -> str:
    return f"{what} by {socket.gethostname()}:{os.getpid()}"


@contextmanager
def exclusive(what: str, *, wait: float = 0, in_use_name: str | None = None, maintenance_on: bool = False):
    """Hold the single backup/restore lock; optionally mark a file in use and the site in maintenance.

    Raises Busy when another holder keeps it for longer than `wait` seconds.
    """
    conn = keys.client()
    ttl = conf.lock_timeout()
    lock = conn.lock(_key(), timeout=ttl, blocking=wait > 0, blocking_timeout=wait or None,
                     thread_local=False)
    token = holder_id(what).encode()
    if not lock.acquire(token=token) and not (_break_if_dead(conn) and lock.acquire(token=token)):
        raise Busy(f"another backup or restore is running ({current_holder() or 'unknown holder'})")
    marks = ([in_use.key(in_use_name)] if in_use_name else []) + ([maintenance.key()] if maintenance_on else [])
    with keys.held(conn, lock, ttl, marks):
        yield lock


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
    holder = conn.get(_key())
    if not holder or not _holder_is_dead(holder.decode("utf-8", "replace")):
        return False
    script = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
    return bool(conn.eval(script, 1, _key(), holder))


def busy() -> bool:
    """A live holder has the lock (a dead one on this host does not count)."""
    holder = current_holder()
    return bool(holder) and not _holder_is_dead(holder)


def current_holder() -> str | None:
    value = keys.client().get(_key())
    return value.decode("utf-8", "replace") if value else None


def is_locked() -> bool:
    return current_holder() is not None
