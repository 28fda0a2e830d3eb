"""One backup, restore or cleanup at a time across all processes: a Redis lock with an expiry
its holder renews (keys.held); a holder that died on this host is detected at once.

Work queued for a Celery worker (the API, the admin) takes the lock when it is accepted: `reserve()`
holds it under a reservation token for BACKUP_QUEUE_TIMEOUT seconds, the task carries the token and
`exclusive(..., reservation=token)` takes the lock over from it in one step (compare-and-set: never
released in between). A reservation no worker claims in time expires, and its task is then refused.
"""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager

from django.utils import timezone

import redis

from . import conf, in_use, keys, maintenance
from .errors import Busy, ReservationLost

# Compare-and-set / compare-and-delete on the lock's value (the holder's token).
_TAKE_OVER = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
              "return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return false")
_DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def _key() -> str:
    return keys.key("lock")


def holder_id(what: str) -> str:
    return f"{what} by {socket.gethostname()}:{os.getpid()}"


@contextmanager
def exclusive(what: str, *, wait: float = 0, in_use_name: str | None = None, maintenance_on: bool = False,
              reservation: str | None = None):
    """Hold the single backup/restore lock; optionally mark a file in use and the site in maintenance.

    Raises Busy when another holder keeps it for longer than `wait` seconds. With `reservation` (the
    token reserve() gave when the work was accepted) the lock is taken over from that reservation;
    ReservationLost when it is no longer there (expired, or never made).
    """
    conn = keys.client()
    ttl = conf.lock_timeout()
    lock = conn.lock(_key(), timeout=ttl, blocking=wait > 0, blocking_timeout=wait or None,
                     thread_local=False)
    token = holder_id(what).encode()
    if reservation is not None:
        _take_over(conn, lock, reservation, token, ttl)
    elif not lock.acquire(token=token) and not (_break_if_dead(conn) and lock.acquire(token=token)):
        raise Busy(f"another backup or restore is running ({current_holder() or 'unknown holder'})")
    marks = ([in_use.key(in_use_name)] if in_use_name else []) + ([maintenance.key()] if maintenance_on else [])
    with keys.held(conn, lock, ttl, marks):
        yield lock


def reserve(what: str) -> str:
    """Take the lock for `what` queued on a worker: its reservation token, held BACKUP_QUEUE_TIMEOUT
    seconds (nobody renews it: a task no worker picks up must not block backups for ever). Busy when held."""
    # No " by host:pid": the process that accepted the work may exit; only the expiry ends a reservation.
    token = f"{what} queued at {timezone.now():%Y-%m-%dT%H:%M:%SZ} ({uuid.uuid4().hex[:12]})"
    conn = keys.client()
    if conn.set(_key(), token, nx=True, ex=conf.queue_timeout()):
        return token
    if _break_if_dead(conn) and conn.set(_key(), token, nx=True, ex=conf.queue_timeout()):
        return token
    raise Busy(f"another backup or restore is running ({current_holder() or 'unknown holder'})")


def unreserve(reservation: str) -> None:
    """Give a reservation back (the work could not be queued); nothing when it is no longer the holder."""
    keys.client().eval(_DELETE_IF, 1, _key(), reservation)


def _take_over(conn: redis.Redis, lock, reservation: str, token: bytes, ttl: int) -> None:
    if not conn.eval(_TAKE_OVER, 1, _key(), reservation, token, ttl * 1000):
        raise ReservationLost(
            f"not started: its reservation of the backup lock ({reservation}) was gone when a worker took "
            f"it up (no worker within BACKUP_QUEUE_TIMEOUT = {conf.queue_timeout()} s); request it again")
    # redis-py's Lock keeps its holder's token here (acquire() sets it); extend() and release() compare it.
    lock.local.token = token


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
    return bool(conn.eval(_DELETE_IF, 1, _key(), holder))


def busy() -> bool:
    """A live holder has the lock (a dead one on this host does not count)."""
    holder = current_holder()
    return bool(holder) and not _holder_is_dead(holder)


def current_holder() -> str | None:
    value = keys.client().get(_key())
    return value.decode("utf-8", "replace") if value else None


def is_locked() -> bool:
    return current_holder() is not None
