from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "kinmap.chronology"
    label = "chronology"
    verbose_name = "Chronology"
