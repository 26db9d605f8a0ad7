from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "kinmap.merging"
    label = "merging"
    default_auto_field = "django.db.models.BigAutoField"
