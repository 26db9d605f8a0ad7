from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "kinmap.sharing"
    label = "sharing"
    verbose_name = "Access, information requests and sharing decisions"
