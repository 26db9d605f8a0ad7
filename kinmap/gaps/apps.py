from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "kinmap.gaps"
    label = "gaps"
    verbose_name = "Information requirements, gaps and contacts"

    def ready(self) -> None:
        # Wiring, not domain logic: every change to a family recomputes its gaps
        # inside the same transaction, so no page ever shows a stale gap.
        from kinmap.records.services import on_family_change

        from .services import gaps_recompute_hook

        on_family_change(gaps_recompute_hook)
