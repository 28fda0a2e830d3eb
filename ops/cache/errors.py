"""What "Redis is unavailable" looks like, and a warning that does not flood the log."""
import logging
import threading
import time

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisClusterException, RedisError

from . import conf

# Every failure a Redis call can raise when the server is down, hung, failing over or resharding.
REDIS_ERRORS = (RedisError, RedisClusterException, ConnectionInterrupted, OSError)

_last_warning: dict[str, float] = {}
_lock = threading.Lock()


def warn_unavailable(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log a warning about `what`, at most once per OPS_CACHE_ERROR_LOG_INTERVAL per process."""
    now = time.monotonic()
    with _lock:
        if now - _last_warning.get(what, -1e9) < conf.error_log_interval():
            return
        _last_warning[what] = now
    # The exception type and text only: redis-py errors never carry the password.
    logger.warning("Redis unavailable for %s: %s: %s", what, type(exc).__name__, exc)
