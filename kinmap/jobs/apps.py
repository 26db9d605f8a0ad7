from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work run by ``kinmap worker`` (django-tasks, database backend)."""

    name = "kinmap.jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring, not domain logic: a change to a family asks, once it has
        # committed, for the families sharing one of its members to be
        # recomputed in the background (requirement 8 reads them).
        from kinmap.records.services import on_family_change

        from .neighbours import neighbours_after_change

        on_family_change(neighbours_after_change)
