"""Redis Cluster for django-redis, which has no cluster client of its own (7.0).

django-redis lets a cache pick its connection factory (`OPTIONS["CONNECTION_FACTORY"]`);
this one returns a `redis.cluster.RedisCluster`, which keeps its own per-node pools and
follows MOVED/ASK redirections. The default client's single-key commands (get, set,
delete, incr, expire...) then work unchanged; multi-key commands need keys of one slot
(use a `{hash tag}`).

    OPTIONS = {"CLIENT_CLASS": "ops.cache.cluster.ClusterClient",
               "CONNECTION_FACTORY": "ops.cache.cluster.ClusterConnectionFactory",
               "CLUSTER_NODES": [["10.0.0.1", 6379], ["10.0.0.2", 6379]], "PASSWORD": "..."}
"""
from __future__ import annotations

import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from django_redis.pool import ConnectionFactory
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException, RedisError


class ClusterConnectionFactory(ConnectionFactory):
    # One RedisCluster per process and node list: it is thread-safe and owns the node pools.
    _clusters: dict[tuple, RedisCluster] = {}
    _lock = threading.Lock()

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        nodes = options.get("CLUSTER_NODES")
        if not nodes:
            raise ImproperlyConfigured("CLUSTER_NODES must list the cluster's (host, port) pairs")
        self.nodes = tuple((str(h), int(p)) for h, p in nodes)

    def cluster_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for option, kwarg in (("PASSWORD", "password"), ("USERNAME", "username"),
                              ("SOCKET_TIMEOUT", "socket_timeout"),
                              ("SOCKET_CONNECT_TIMEOUT", "socket_connect_timeout")):
            if self.options.get(option):
                kwargs[kwarg] = self.options[option]
        return kwargs

    def connect(self, url: str) -> RedisCluster:
        """The process-wide cluster client for these nodes (`url` is ignored: nodes come from options)."""
        key = (self.nodes, tuple(sorted(self.cluster_kwargs().items())))
        with self._lock:
            if key not in self._clusters:
                self._clusters[key] = RedisCluster(
                    startup_nodes=[ClusterNode(h, p) for h, p in self.nodes], **self.cluster_kwargs())
            return self._clusters[key]

    def disconnect(self, connection: RedisCluster) -> None:
        connection.disconnect_connection_pools()


class ClusterClient(DefaultClient):
    """django-redis' default client, but a cluster that cannot be reached yet is a cache miss.

    RedisCluster connects eagerly (to learn the slot map) and raises outside the client's
    own error handling, so IGNORE_EXCEPTIONS would not apply without this.
    """

    def get_client(self, write: bool = True, tried=None):
        try:
            return super().get_client(write=write, tried=tried)
        except (RedisClusterException, RedisError, OSError) as exc:
            raise ConnectionInterrupted(connection=None) from exc

    def get_client_with_index(self, write: bool = True, tried=None):
        try:
            return super().get_client_with_index(write=write, tried=tried)
        except (RedisClusterException, RedisError, OSError) as exc:
            raise ConnectionInterrupted(connection=None) from exc
