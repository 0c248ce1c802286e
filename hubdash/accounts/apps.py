from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hubdash.accounts"
    label = "accounts"
