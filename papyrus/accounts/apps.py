from django.apps import AppConfig
from django.core.checks import register

from . import checks


class AccountsConfig(AppConfig):
    name = "papyrus.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import receivers  # noqa: PLC0415 - imports models: only once the app registry is ready

        register(checks.check_registration)
        receivers.connect()
