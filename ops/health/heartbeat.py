"""Celery liveness without a broadcast ping: each worker writes a heartbeat, /health reads it.

A control ping made /health wait up to a second for replies (two when the broker was down),
holding a serving worker. Instead each worker's main process writes `hostname → time` into a
Redis hash every HEALTH_CELERY_HEARTBEAT_SECONDS (and removes it on a warm shutdown); the check
is one HGETALL. The Redis is the one the "redis" check pings (the django-redis cache, else
REDIS_URL), usually also the broker.
"""
from __future__ import annotations

import logging
import socket
import threading
import time

from . import conf, connection

logger = logging.getLogger("ops.health")


def _client():
    return connection.client()


def beat(client, hostname: str, now: float | None = None) -> None:
    key, now = conf.celery_heartbeat_key(), time.time() if now is None else now
    with client.pipeline() as pipe:
        pipe.hset(key, hostname, f"{now:.3f}")
        pipe.expire(key, max(1, int(conf.celery_heartbeat_max_age() * 4)))
        pipe.execute()


def forget(client, hostname: str) -> None:
    client.hdel(conf.celery_heartbeat_key(), hostname)


def fresh_workers(client, now: float | None = None) -> dict[str, float]:
    """{hostname: seconds since its last heartbeat} of the workers heard from recently enough."""
    now = time.time() if now is None else now
    ages = {}
    for name, value in client.hgetall(conf.celery_heartbeat_key()).items():
        try:
            age = now - float(value)
        except ValueError:
            continue
        if age <= conf.celery_heartbeat_max_age():
            ages[name.decode() if isinstance(name, bytes) else str(name)] = age
    return ages


class Heartbeat:
    """The thread in a worker's main process that keeps its entry fresh."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ops-health-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                beat(_client(), self.hostname)
            except Exception:  # noqa: BLE001 - Redis down: /health says so through the check
                logger.debug("celery heartbeat not written", exc_info=True)
            self.stopping.wait(conf.celery_heartbeat_seconds())

    def start(self) -> Heartbeat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        try:
            forget(_client(), self.hostname)
        except Exception:  # noqa: BLE001 - the entry then ages out
            logger.debug("celery heartbeat not removed", exc_info=True)


_running: list[Heartbeat] = []


def on_worker_ready(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", None) or socket.gethostname()
    _running.append(Heartbeat(hostname).start())


def on_worker_shutdown(sender=None, **kwargs) -> None:
    while _running:
        _running.pop().stop()


def connect_signals() -> None:
    """Called from AppConfig.ready(): only a Celery worker ever sends these signals."""
    try:
        from celery.signals import worker_ready, worker_shutdown  # noqa: PLC0415 - Celery is optional here
    except ImportError:  # a project without Celery has no celery check either
        return
    worker_ready.connect(on_worker_ready, weak=False, dispatch_uid="ops.health.heartbeat.ready")
    worker_shutdown.connect(on_worker_shutdown, weak=False, dispatch_uid="ops.health.heartbeat.shutdown")
