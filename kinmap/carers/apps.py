from django.apps import AppConfig


class CarersConfig(AppConfig):
    name = "kinmap.carers"
    label = "carers"
    verbose_name = "Safety information for carers"

    def ready(self) -> None:
        from kinmap.records.selectors import on_family_load

        from .selectors import CARER_INFORMATION, add_carer_information

        on_family_load(add_carer_information, fixed=CARER_INFORMATION)
