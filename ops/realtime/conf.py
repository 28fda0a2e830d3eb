"""ops.realtime settings, read at call time so `override_settings` works.

    REALTIME_CHANNEL_LAYER = "default"     # CHANNEL_LAYERS alias used for broadcasts
    REALTIME_REDIS_URL = ""                # Redis for sequence numbers and presence; empty: the
                                           # channel layer's first host (Sentinel entries included)
    REALTIME_AUTHENTICATOR = ""            # dotted path: callable(scope) -> user | (user, exp) | None
    REALTIME_MAX_MESSAGE_BYTES = 16384     # a bigger client frame closes with MESSAGE_TOO_BIG (4413)
    REALTIME_MESSAGES_PER_SECOND = 10      # sustained client frames per second per connection...
    REALTIME_MESSAGE_BURST = 20            # ...with this burst; beyond: RATE_LIMITED (4429)
    REALTIME_PRESENCE_TTL = 60             # seconds a connection stays "present" without a heartbeat
    REALTIME_SEQ_TTL = 7 * 24 * 3600       # seconds an idle group's sequence counter is kept
    REALTIME_SEND_TIMEOUT = 2.0            # seconds group_send_sync waits for Redis
    REALTIME_BREAKER_SECONDS = 5.0         # after a failed broadcast, seconds broadcasts fail at
                                           # once (Redis untouched) before one tries again
    REALTIME_KEY_PREFIX = "realtime:"      # Redis key prefix for counters and presence
"""
from django.conf import settings


def _get(name: str, default):
    return getattr(settings, name, default)


def layer_alias() -> str:
    return _get("REALTIME_CHANNEL_LAYER", "default")


def redis_url() -> str:
    return _get("REALTIME_REDIS_URL", "") or ""


def authenticator_path() -> str:
    return _get("REALTIME_AUTHENTICATOR", "") or ""


def max_message_bytes() -> int:
    return int(_get("REALTIME_MAX_MESSAGE_BYTES", 16384))


def messages_per_second() -> float:
    return float(_get("REALTIME_MESSAGES_PER_SECOND", 10))


def message_burst() -> int:
    return int(_get("REALTIME_MESSAGE_BURST", 20))


def presence_ttl() -> float:
    return float(_get("REALTIME_PRESENCE_TTL", 60))


def seq_ttl() -> int:
    return int(_get("REALTIME_SEQ_TTL", 7 * 24 * 3600))


def send_timeout() -> float:
    return float(_get("REALTIME_SEND_TIMEOUT", 2.0))


def breaker_seconds() -> float:
    return float(_get("REALTIME_BREAKER_SECONDS", 5.0))


def key_prefix() -> str:
    return _get("REALTIME_KEY_PREFIX", "realtime:")


def metrics_enabled() -> bool:
    return bool(_get("ENABLE_PROMETHEUS", True))
