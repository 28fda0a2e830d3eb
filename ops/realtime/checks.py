"""System checks for ops.realtime (ids ops_realtime.E00x / W00x)."""
from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from . import conf

IN_MEMORY = "channels.layers.InMemoryChannelLayer"


def check_channel_layer(app_configs=None, **kwargs):
    layer = getattr(settings, "CHANNEL_LAYERS", {}).get(conf.layer_alias())
    if layer is None:
        return [Error(f"CHANNEL_LAYERS has no {conf.layer_alias()!r} layer.",
                      hint="Configure channels_redis.pubsub.RedisPubSubChannelLayer on REDIS_URL.",
                      id="ops_realtime.E001")]
    problems = []
    if layer.get("BACKEND") == IN_MEMORY:
        problems.append(Warning("The in-memory channel layer does not carry events between processes.",
                                hint="Use channels_redis in production.", id="ops_realtime.W001"))
    if not conf.redis_url() and not layer.get("CONFIG", {}).get("hosts"):
        problems.append(Error("No Redis for sequence numbers and presence.",
                              hint="Set REALTIME_REDIS_URL or give the channel layer CONFIG hosts.",
                              id="ops_realtime.E002"))
    return problems


def check_settings(app_configs=None, **kwargs):
    problems = []
    path = conf.authenticator_path()
    if path:
        try:
            import_string(path)
        except ImportError as exc:
            problems.append(Error(f"REALTIME_AUTHENTICATOR {path!r} cannot be imported: {exc}",
                                  id="ops_realtime.E003"))
    limits = {"REALTIME_MAX_MESSAGE_BYTES": conf.max_message_bytes,
              "REALTIME_MESSAGES_PER_SECOND": conf.messages_per_second,
              "REALTIME_MESSAGE_BURST": conf.message_burst,
              "REALTIME_PRESENCE_TTL": conf.presence_ttl}
    for name, read in limits.items():
        try:
            ok = read() > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(Error(f"{name} must be a positive number.", id="ops_realtime.E004"))
    return problems
