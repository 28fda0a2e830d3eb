"""The Redis the site uses: its django-redis cache when there is one, else REDIS_URL (redis-py)."""
from __future__ import annotations

from django.conf import settings

from . import conf
from .masking import mask_url


def redis_connection():
    """(client, where): a redis-py client and a printable (password-free) description of it.

    The django-redis cache is preferred because it already knows Sentinel/Cluster; a site
    without one (or with another cache backend) is reached at REDIS_URL with REDIS_PASSWORD
    and REDIS_DB applied.
    """
    alias = conf.redis_alias()
    if alias in getattr(settings, "CACHES", {}):
        try:
            from django_redis import get_redis_connection

            location = settings.CACHES[alias].get("LOCATION", "")
            where = ", ".join(location) if isinstance(location, (list, tuple)) else str(location)
            return get_redis_connection(alias), f"cache {alias!r} at {mask_url(where)}"
        except (ImportError, NotImplementedError):
            pass  # not a django-redis cache: fall back to the URL
    return _from_url(), mask_url(conf.setting("REDIS_URL", ""))


def _from_url():
    import redis

    kwargs = {"socket_connect_timeout": 2, "socket_timeout": 2}
    if conf.setting("REDIS_PASSWORD"):
        kwargs["password"] = conf.setting("REDIS_PASSWORD")
    if str(conf.setting("REDIS_DB", "") or "") != "":
        kwargs["db"] = int(conf.setting("REDIS_DB"))
    return redis.Redis.from_url(conf.setting("REDIS_URL") or "redis://127.0.0.1:6379/0", **kwargs)
