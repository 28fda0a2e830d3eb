from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "papyrus.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import principal  # noqa: F401 - connects user changes and restores → cached principals
