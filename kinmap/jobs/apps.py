from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work run by ``kinmap worker`` (django-tasks, database backend)."""

    name = "kinmap.jobs"
    default_auto_field = "django.db.models.BigAutoField"
