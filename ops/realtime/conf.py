"""ops.realtime settings: defaults declared once in DEFAULTS, read at call time (ops.appsettings)."""
from django.conf import settings

from ops.appsettings import AppSettings

DEFAULTS = {
    "REALTIME_CHANNEL_LAYER": "default",  # CHANNEL_LAYERS alias used for broadcasts
    "REALTIME_REDIS_URL": "",             # Redis for sequence numbers and presence; empty: the
                                          # channel layer's first host (Sentinel entries included)
    "REALTIME_AUTHENTICATOR": "",         # dotted path: callable(scope) -> user | (user, exp) | None
    "REALTIME_MAX_MESSAGE_BYTES": 16384,  # a bigger client frame closes with MESSAGE_TOO_BIG (4413)
    "REALTIME_MESSAGES_PER_SECOND": 10,   # sustained client frames per second per connection...
    "REALTIME_MESSAGE_BURST": 20,         # ...with this burst; beyond: RATE_LIMITED (4429)
    "REALTIME_PRESENCE_TTL": 60,          # seconds a connection stays "present" without a heartbeat
    "REALTIME_SEQ_TTL": 7 * 24 * 3600,    # seconds an idle group's sequence counter is kept
    "REALTIME_SEND_TIMEOUT": 2.0,         # seconds group_send_sync waits for Redis
    "REALTIME_BREAKER_SECONDS": 5.0,      # after a failed broadcast, seconds broadcasts fail at
                                          # once (Redis untouched) before one tries again
    "REALTIME_KEY_PREFIX": "realtime:",   # Redis key prefix for counters and presence
}
app_settings = AppSettings(DEFAULTS)


def _get(name: str, default):
    return getattr(settings, name, default)


def layer_alias() -> str:
    return app_settings.REALTIME_CHANNEL_LAYER


def redis_url() -> str:
    return app_settings.REALTIME_REDIS_URL or ""


def authenticator_path() -> str:
    return app_settings.REALTIME_AUTHENTICATOR or ""


def max_message_bytes() -> int:
    return int(app_settings.REALTIME_MAX_MESSAGE_BYTES)


def messages_per_second() -> float:
    return float(app_settings.REALTIME_MESSAGES_PER_SECOND)


def message_burst() -> int:
    return int(app_settings.REALTIME_MESSAGE_BURST)


def presence_ttl() -> float:
    return float(app_settings.REALTIME_PRESENCE_TTL)


def seq_ttl() -> int:
    return int(app_settings.REALTIME_SEQ_TTL)


def send_timeout() -> float:
    return float(app_settings.REALTIME_SEND_TIMEOUT)


def breaker_seconds() -> float:
    return float(app_settings.REALTIME_BREAKER_SECONDS)


def key_prefix() -> str:
    return app_settings.REALTIME_KEY_PREFIX


def metrics_enabled() -> bool:
    return bool(_get("ENABLE_PROMETHEUS", True))
