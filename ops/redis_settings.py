"""The settings of every Redis user, built from one description of the Redis deployment:
the cache (`CACHES`: ops.cache, ops.ratelimit and any cache user), sessions,
the Celery broker and the Channels layer (ops.realtime). Not part of any one ops app, so it
sits beside them; raw clients come from ops.cache.client, which follows these settings.

Imported by settings modules, so it must not touch `django.conf.settings`.

    redis_settings(url=..., password=..., db=..., sentinel_master=..., sentinel_nodes=...,
                   cluster_nodes=..., key_prefix="") -> {"CACHES": ..., "SESSION_ENGINE": ..., ...}

`key_prefix` is the cache's KEY_PREFIX; the project names its own (none by default).

Three shapes: a single server (`REDIS_URL`), Sentinel (`REDIS_SENTINEL_MASTER` +
`REDIS_SENTINEL_NODES`: every Redis user goes through Sentinel) and Cluster
(`REDIS_CLUSTER_NODES`: cache, sessions and rate limiting on the cluster; Celery and the
channel layer keep `REDIS_URL`, as neither kombu nor channels-redis speak Cluster).
`REDIS_PASSWORD` and `REDIS_DB` apply even when the URL lacks them, and win over the URL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Short timeouts: a dead or hung Redis must cost a request milliseconds, not seconds.
SOCKET_CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 0.5


@dataclass(frozen=True)
class RedisTopology:
    """Where Redis is: `mode` is "single", "sentinel" or "cluster"."""

    url: str
    password: str = ""
    db: int = 0
    sentinel_master: str = ""
    sentinel_nodes: tuple[tuple[str, int], ...] = field(default_factory=tuple)
    cluster_nodes: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    @property
    def mode(self) -> str:
        if self.cluster_nodes:
            return "cluster"
        if self.sentinel_master and self.sentinel_nodes:
            return "sentinel"
        return "single"


def parse_nodes(value: str | list | tuple | None, default_port: int = 6379) -> tuple[tuple[str, int], ...]:
    """`"h1:6379,h2:6380"` (or a list of "host:port") → ((h1, 6379), (h2, 6380))."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    nodes = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "")
        nodes.append((host.strip("[]") or item, int(port) if port else default_port))
    return tuple(nodes)


def redis_topology(*, url: str, password: str = "", db: str | int | None = "", sentinel_master: str = "",
                   sentinel_nodes: str = "", cluster_nodes: str = "") -> RedisTopology:
    """Combine the environment's Redis variables; explicit password/db win over the URL's."""
    parts = urlsplit(url)
    url_db = parts.path.strip("/")
    chosen_db = db if db not in (None, "") else (url_db or 0)
    return RedisTopology(
        url=url,
        password=password or unquote(parts.password or ""),
        db=int(chosen_db),
        sentinel_master=sentinel_master.strip(),
        sentinel_nodes=parse_nodes(sentinel_nodes, default_port=26379),
        cluster_nodes=parse_nodes(cluster_nodes),
    )


def server_url(topology: RedisTopology, *, db: int | None = None) -> str:
    """`REDIS_URL` with the password and db applied (the single-server URL every client uses)."""
    parts = urlsplit(topology.url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    if topology.password:
        user = quote(unquote(parts.username or ""), safe="")
        netloc = f"{user}:{quote(topology.password, safe='')}@{netloc}"
    return urlunsplit((parts.scheme or "redis", netloc, f"/{topology.db if db is None else db}",
                       parts.query, ""))


def _base_options() -> dict:
    return {
        "SOCKET_CONNECT_TIMEOUT": SOCKET_CONNECT_TIMEOUT,
        "SOCKET_TIMEOUT": SOCKET_TIMEOUT,
        # Redis down must not fail requests: cache reads miss, writes are dropped.
        "IGNORE_EXCEPTIONS": True,
    }


def cache_config(topology: RedisTopology, *, key_prefix: str = "", timeout: int = 300) -> dict:
    """One django-redis CACHES entry for the topology."""
    options = _base_options()
    if topology.mode == "sentinel":
        # A one-element LOCATION list keeps every read on the master (replicas may lag a write).
        location: str | list[str] = [f"redis://{topology.sentinel_master}/{topology.db}"]
        options.update(CLIENT_CLASS="django_redis.client.SentinelClient",
                       CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
                       SENTINELS=[list(n) for n in topology.sentinel_nodes])
        if topology.password:
            options["PASSWORD"] = topology.password
    elif topology.mode == "cluster":
        host, port = topology.cluster_nodes[0]
        location = f"redis://{host}:{port}/0"
        options.update(CLIENT_CLASS="ops.cache.cluster.ClusterClient",
                       CONNECTION_FACTORY="ops.cache.cluster.ClusterConnectionFactory",
                       CLUSTER_NODES=[list(n) for n in topology.cluster_nodes],
                       DB=topology.db)  # always 0 on a cluster; a system check reports any other
        if topology.password:
            options["PASSWORD"] = topology.password
    else:
        location = server_url(topology)
    return {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location, "OPTIONS": options,
            "KEY_PREFIX": key_prefix, "TIMEOUT": timeout}


def celery_broker(topology: RedisTopology) -> tuple[str, dict]:
    """(CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS): kombu's sentinel:// transport when Sentinel."""
    if topology.mode != "sentinel":
        return server_url(topology), {}
    auth = f":{quote(topology.password, safe='')}@" if topology.password else ""
    url = ";".join(f"sentinel://{auth}{h}:{p}/{topology.db}" for h, p in topology.sentinel_nodes)
    return url, {"master_name": topology.sentinel_master}


def channel_layers(topology: RedisTopology,
                   backend: str = "channels_redis.pubsub.RedisPubSubChannelLayer") -> dict:
    """CHANNEL_LAYERS for channels-redis; a Sentinel host entry when Sentinel."""
    if topology.mode == "sentinel":
        host: dict | str = {"sentinels": [tuple(n) for n in topology.sentinel_nodes],
                            "master_name": topology.sentinel_master, "db": topology.db,
                            "socket_connect_timeout": SOCKET_CONNECT_TIMEOUT}
        if topology.password:
            host["password"] = topology.password
    else:
        host = server_url(topology)
    return {"default": {"BACKEND": backend, "CONFIG": {"hosts": [host]}}}


def redbeat(topology: RedisTopology) -> tuple[str, dict]:
    """(CELERY_REDBEAT_REDIS_URL, CELERY_REDBEAT_REDIS_OPTIONS) for celery-redbeat, the beat scheduler
    whose lock in Redis lets one beat run at a time (a second one waits for the lock): the master
    through Sentinel when Sentinel; on a cluster, REDIS_URL as for Celery's broker."""
    options: dict = {"socket_timeout": SOCKET_TIMEOUT * 10, "retry_period": 60}
    if topology.mode != "sentinel":
        return server_url(topology), options
    options.update(sentinels=[tuple(n) for n in topology.sentinel_nodes], service_name=topology.sentinel_master,
                   db=topology.db)
    if topology.password:
        options["password"] = topology.password
    return "redis-sentinel://", options


def redis_settings(*, url: str, password: str = "", db: str | int | None = "", sentinel_master: str = "",
                   sentinel_nodes: str = "", cluster_nodes: str = "", key_prefix: str = "") -> dict:
    """Every Redis-backed Django setting, ready to assign in a settings module."""
    topology = redis_topology(url=url, password=password, db=db, sentinel_master=sentinel_master,
                              sentinel_nodes=sentinel_nodes, cluster_nodes=cluster_nodes)
    broker_url, broker_options = celery_broker(topology)
    redbeat_url, redbeat_options = redbeat(topology)
    return {
        "REDIS_TOPOLOGY": topology,
        "CACHES": {"default": cache_config(topology, key_prefix=key_prefix)},
        # Sessions (admin, browsable API) live in Redis beside the cache.
        "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
        "SESSION_CACHE_ALIAS": "default",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_BROKER_TRANSPORT_OPTIONS": broker_options,
        "CHANNEL_LAYERS": channel_layers(topology),
        "CELERY_REDBEAT_REDIS_URL": redbeat_url,
        "CELERY_REDBEAT_REDIS_OPTIONS": redbeat_options,
    }
