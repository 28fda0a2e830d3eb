"""pytest fixtures over tests/support/redis_topologies.py; import them into a conftest:

    from tests.support.redis_fixtures import *  # noqa: F401,F403

`redis_alias` is parametrized over the three shapes and yields the name of an extra
django-redis cache ("contract") built by ops.redis_settings for that shape.
"""
from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import override_settings

from ops.redis_settings import cache_config, redis_topology

from .redis_topologies import ClusterSetup, SentinelSetup

TOPOLOGIES = ["single", "sentinel", "cluster"]


@pytest.fixture(scope="session")
def redis_sentinel(tmp_path_factory):
    """A shared Sentinel setup (do not kill its master: use `fresh_sentinel` for that)."""
    setup = SentinelSetup(tmp_path_factory.mktemp("sentinel")).start()
    yield setup
    setup.stop()


@pytest.fixture
def fresh_sentinel(tmp_path):
    """A Sentinel setup of its own, whose master a test may kill."""
    setup = SentinelSetup(tmp_path / "sentinel").start()
    yield setup
    setup.stop()
    forget_django_redis_pools()


def forget_django_redis_pools() -> None:
    """django-redis keeps one pool per URL for the whole process (ConnectionFactory._pools), and a
    Sentinel URL names the master ("redis://mymaster/0"), not the sentinels: a pool built for a
    stopped setup would otherwise serve every later cache of that name (and hang on dead sentinels)."""
    from django_redis.pool import ConnectionFactory

    for pool in ConnectionFactory._pools.values():
        pool.disconnect()
    ConnectionFactory._pools.clear()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    setup = ClusterSetup(tmp_path_factory.mktemp("cluster")).start()
    yield setup
    setup.stop()


def topology_env(kind: str, request) -> dict:
    """The REDIS_* environment for one shape (what an operator would set)."""
    env = {"REDIS_URL": os.environ["REDIS_URL"]}
    if kind == "sentinel":
        sentinel = request.getfixturevalue("redis_sentinel")
        env.update(REDIS_SENTINEL_MASTER="mymaster", REDIS_SENTINEL_NODES=sentinel.nodes)
    elif kind == "cluster":
        env["REDIS_CLUSTER_NODES"] = request.getfixturevalue("redis_cluster").nodes
    return env


def topology_cache(kind: str, request) -> dict:
    env = topology_env(kind, request)
    topology = redis_topology(url=env["REDIS_URL"], sentinel_master=env.get("REDIS_SENTINEL_MASTER", ""),
                              sentinel_nodes=env.get("REDIS_SENTINEL_NODES", ""),
                              cluster_nodes=env.get("REDIS_CLUSTER_NODES", ""))
    assert topology.mode == kind
    return cache_config(topology, key_prefix="contract")


@pytest.fixture(params=TOPOLOGIES)
def redis_alias(request):
    """The alias "contract": a django-redis cache on a single server, Sentinel or Cluster."""
    with override_settings(CACHES={**settings.CACHES, "contract": topology_cache(request.param, request)}):
        yield "contract"
