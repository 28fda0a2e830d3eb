from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "ops.realtime"
    label = "ops_realtime"
    verbose_name = "Realtime (WebSockets)"

    def ready(self):
        from django.core import checks

        from . import checks as realtime_checks
        from . import metrics, registry

        checks.register(realtime_checks.check_channel_layer)
        checks.register(realtime_checks.check_settings)
        registry.add_listener(metrics.record)
