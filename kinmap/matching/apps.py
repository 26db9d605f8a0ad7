from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "kinmap.matching"
    label = "matching"
    verbose_name = "Finding a person already on the record"

    def ready(self) -> None:
        # Wiring, not domain logic: every change to a family refreshes the
        # blocking keys of its people in the same transaction.
        from kinmap.records.services import on_family_change

        from .keys import match_keys_hook

        on_family_change(match_keys_hook)
