from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kinmap.accounts"
    label = "accounts"
    verbose_name = "Agencies, teams and users"
