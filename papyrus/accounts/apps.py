from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "papyrus.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.core.checks import register

        from . import checks, receivers

        register(checks.check_registration)
        receivers.connect()
