from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "papyrus.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.core.checks import register

        from . import checks, principal  # noqa: F401 - principal connects user changes and restores → cached principals

        register(checks.check_registration)
