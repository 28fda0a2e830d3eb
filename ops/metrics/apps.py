from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "ops.metrics"
    label = "ops_metrics"
    verbose_name = "Prometheus metrics"

    def ready(self):
        from prometheus_client import disable_created_metrics  # noqa: PLC0415 - once the registry is ready

        from . import checks, conf, db, tasks  # noqa: F401, PLC0415 - importing checks registers them, in ready()

        disable_created_metrics()  # *_created series double the exposition for no dashboard use
        if conf.enabled():
            db.install()
            tasks.install()
