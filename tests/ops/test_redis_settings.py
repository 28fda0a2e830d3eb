"""ops.redis_settings: REDIS_* variables → CACHES, sessions, Celery broker, channel layer."""
import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from ops.redis_settings import redis_settings, redis_topology, server_url
from ops.cache.service import JSONCache
from tests.support.redis_topologies import RedisServer


def test_password_and_db_apply_when_the_url_lacks_them():
    topology = redis_topology(url="redis://cache.internal:6380", password="p@ss:w/rd", db="3")
    assert server_url(topology) == "redis://:p%40ss%3Aw%2Frd@cache.internal:6380/3"


def test_explicit_password_and_db_win_over_the_url():
    topology = redis_topology(url="redis://:old@h:6379/1", password="new", db="2")
    assert server_url(topology) == "redis://:new@h:6379/2"


def test_the_url_password_and_db_are_kept_when_no_variable_is_set():
    topology = redis_topology(url="redis://:secret@h:6379/5")
    assert (topology.password, topology.db, topology.mode) == ("secret", 5, "single")
    assert server_url(topology) == "redis://:secret@h:6379/5"


def test_single_server_settings():
    built = redis_settings(url="redis://h:6379", password="pw", db="4")
    assert built["CACHES"]["default"]["LOCATION"] == "redis://:pw@h:6379/4"
    assert built["CACHES"]["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert built["SESSION_ENGINE"] == "django.contrib.sessions.backends.cache"
    assert built["CELERY_BROKER_URL"] == "redis://:pw@h:6379/4"
    assert built["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"] == ["redis://:pw@h:6379/4"]


def test_sentinel_settings_send_every_user_through_sentinel():
    built = redis_settings(url="redis://ignored:6379", password="pw", db="2", sentinel_master="mymaster",
                           sentinel_nodes="s1:26379, s2:26380,s3")
    cache = built["CACHES"]["default"]
    assert cache["LOCATION"] == ["redis://mymaster/2"]  # master only: replicas may lag a write
    assert cache["OPTIONS"]["CLIENT_CLASS"] == "django_redis.client.SentinelClient"
    assert cache["OPTIONS"]["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
    assert cache["OPTIONS"]["SENTINELS"] == [["s1", 26379], ["s2", 26380], ["s3", 26379]]
    assert cache["OPTIONS"]["PASSWORD"] == "pw"
    assert built["CELERY_BROKER_URL"] == "sentinel://:pw@s1:26379/2;sentinel://:pw@s2:26380/2;sentinel://:pw@s3:26379/2"
    assert built["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"master_name": "mymaster"}
    [host] = built["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"]
    assert host["master_name"] == "mymaster" and host["sentinels"] == [("s1", 26379), ("s2", 26380), ("s3", 26379)]
    assert host["db"] == 2 and host["password"] == "pw"


def test_cluster_settings_put_cache_and_sessions_on_the_cluster():
    built = redis_settings(url="redis://single:6379", cluster_nodes="c1:7000,c2:7001,c3:7002")
    options = built["CACHES"]["default"]["OPTIONS"]
    assert options["CONNECTION_FACTORY"] == "ops.cache.cluster.ClusterConnectionFactory"
    assert options["CLUSTER_NODES"] == [["c1", 7000], ["c2", 7001], ["c3", 7002]]
    assert built["SESSION_CACHE_ALIAS"] == "default"
    assert built["CELERY_BROKER_URL"] == "redis://single:6379/0"  # kombu has no cluster transport


def test_a_real_password_protected_redis_works_with_the_password_from_its_own_variable(tmp_path):
    server = RedisServer(tmp_path, password="s3cr3t/pass").start()
    try:
        url = f"redis://127.0.0.1:{server.port}"  # no password, no db in the URL
        with_password = redis_settings(url=url, password="s3cr3t/pass", db="1")["CACHES"]["default"]
        without = redis_settings(url=url)["CACHES"]["default"]
        with override_settings(CACHES={**settings.CACHES, "pw": with_password, "nopw": without}):
            key = uuid.uuid4().hex
            assert JSONCache(alias="pw").set(key, {"ok": True}, 60) is True
            assert JSONCache(alias="pw").get(key) == {"ok": True}
            assert server.client(db=1).dbsize() == 1  # REDIS_DB applied too
            assert JSONCache(alias="nopw").set(key, 1, 60) is False  # refused without it
    finally:
        server.stop()


@pytest.mark.parametrize("nodes,expected", [("", ()), ("a:1", (("a", 1),)), ("a,b:2", (("a", 6379), ("b", 2)))])
def test_node_lists(nodes, expected):
    assert redis_topology(url="redis://x", cluster_nodes=nodes).cluster_nodes == expected


def test_redbeat_follows_the_same_topology_as_every_other_redis_user():
    single = redis_settings(url="redis://r:6379/2", password="pw")
    assert single["CELERY_REDBEAT_REDIS_URL"] == "redis://:pw@r:6379/2"
    sentinel = redis_settings(url="redis://ignored:6379/0", password="pw", db=3, sentinel_master="papyrus",
                              sentinel_nodes="s1:26379,s2:26380")
    assert sentinel["CELERY_REDBEAT_REDIS_URL"] == "redis-sentinel://"
    options = sentinel["CELERY_REDBEAT_REDIS_OPTIONS"]
    assert options["sentinels"] == [("s1", 26379), ("s2", 26380)]
    assert (options["service_name"], options["db"], options["password"]) == ("papyrus", 3, "pw")
