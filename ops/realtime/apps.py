from django.apps import AppConfig
from django.core import checks

from . import checks as realtime_checks
from . import metrics, registry


class RealtimeConfig(AppConfig):
    name = "ops.realtime"
    label = "ops_realtime"
    verbose_name = "Realtime (WebSockets)"

    def ready(self):
        checks.register(realtime_checks.check_channel_layer)
        checks.register(realtime_checks.check_settings)
        registry.add_listener(metrics.record)
