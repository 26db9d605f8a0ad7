from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "kinmap.records"
    label = "records"
    verbose_name = "Family records"
