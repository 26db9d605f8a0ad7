from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kinmap.web"
    label = "web"
    verbose_name = "Pages shared by every part of kinmap"
