"""``kinmap shell`` imports every model by the module the model names
(Django 5.2's automatic imports); the record-time history models among them."""

from io import StringIO

from django.apps import apps
from django.core.management import call_command
from django.utils.module_loading import import_string


def test_every_model_is_where_its_module_says_history_models_included() -> None:
    history = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert {m.__name__ for m in history} >= {
        "HistoricalPerson",
        "HistoricalNetworkMember",
        "HistoricalPersonFact",
    }
    for model in apps.get_models():
        assert import_string(f"{model.__module__}.{model.__name__}") is model


def test_the_shell_imports_every_model_and_says_nothing_failed() -> None:
    out = StringIO()
    call_command("shell", command="print('ready')", verbosity=2, stdout=out)
    text = out.getvalue()
    assert "could not be automatically imported" not in text
    assert "from kinmap.records.models import" in text and "HistoricalPerson" in text
