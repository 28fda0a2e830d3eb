from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "papyrus.accounts"
    label = "accounts"
    verbose_name = "Accounts"
