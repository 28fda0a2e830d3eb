"""The raw redis-py client behind a django-redis cache alias (Redis, Sentinel master or Cluster)."""
from django.core.cache import caches


def redis_client(alias: str):
    """The client for writes (the master under Sentinel) of the django-redis cache `alias`.

    Raises one of `errors.REDIS_ERRORS` when the client cannot be built (an unreachable cluster).
    """
    return caches[alias].client.get_client(write=True)


def make_key(alias: str, key: str) -> str:
    """`key` with the cache's KEY_PREFIX and version, as django-redis would store it."""
    return str(caches[alias].client.make_key(key))
