from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kinmap.web"
    label = "web"
    verbose_name = "Pages shared by every part of kinmap"

    def ready(self) -> None:
        # Before any URL configuration is read: every object id in a URL is an
        # ``<id:...>`` (see kinmap.web.converters).
        from django.urls import register_converter

        from .converters import ObjectIdConverter

        register_converter(ObjectIdConverter, "id")
