from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "ops.health"
    label = "ops_health"
    verbose_name = "Health checks"
