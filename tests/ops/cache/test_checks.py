from django.conf import settings
from django.test import override_settings

from ops.cache import checks


def test_the_configured_cache_passes():
    assert checks.check_cache_backend() == []


def test_a_missing_alias_is_an_error():
    with override_settings(OPS_CACHE_ALIAS="nope"):
        assert [e.id for e in checks.check_cache_backend()] == ["ops_cache.E001"]


def test_a_non_redis_cache_is_an_error():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        assert [e.id for e in checks.check_cache_backend()] == ["ops_cache.E002"]


def test_cluster_with_a_database_other_than_zero_is_an_error():
    cluster = {**settings.CACHES["default"], "OPTIONS": {"CLUSTER_NODES": [["127.0.0.1", 7000]], "DB": 3}}
    with override_settings(CACHES={"default": cluster}):
        assert [e.id for e in checks.check_cache_backend()] == ["ops_cache.E003"]
