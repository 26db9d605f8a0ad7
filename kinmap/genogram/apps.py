from django.apps import AppConfig


class GenogramConfig(AppConfig):
    name = "kinmap.genogram"
    label = "genogram"
    verbose_name = "Genogram"
