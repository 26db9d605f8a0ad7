"""The accuracy fields of the record's dates, between rows and the core.

Each date of the record (``kinmap.records.models``) is stored as its day, its
accuracy code (``kinmap.core.vocab.DateAccuracy``) and, for "between", its
latest day; ``kinmap.core.dates.KnownDate`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kinmap.core.dates import KnownDate, span_accuracies
from kinmap.core.vocab import DateAccuracy
from kinmap.records.errors import RecordError
from kinmap.records.members import member

# The stored fields beside ``start`` and ``end`` of a period (models.Dated).
SPAN_DATE_FIELDS = ("start_accuracy", "start_latest", "end_accuracy", "end_latest")
# The stored fields beside a person's birth and death dates.
PERSON_DATE_FIELDS = ("birth_date_latest", "death_date_accuracy", "death_date_latest")


def span_dates(row: Any) -> dict[str, Any]:
    """The accuracy fields of a period row (``models.Dated``) as keyword
    arguments of a core record (``kinmap.core.model.Residence`` and the like):
    accuracies as ``DateAccuracy``, latest days as ``date`` or None."""
    return {
        "start_accuracy": member(DateAccuracy, row.start_accuracy or DateAccuracy.EXACT),
        "start_latest": row.start_latest,
        "end_accuracy": member(DateAccuracy, row.end_accuracy or DateAccuracy.EXACT),
        "end_latest": row.end_latest,
    }


def person_dates(row: Any) -> dict[str, Any]:
    """A person row's death accuracy and second bounds as keyword arguments of
    ``kinmap.core.model.Person``."""
    return {
        "birth_date_latest": row.birth_date_latest,
        "death_date_accuracy": member(DateAccuracy, row.death_date_accuracy or DateAccuracy.EXACT),
        "death_date_latest": row.death_date_latest,
    }


def known(row: Any, field: str) -> KnownDate:
    """The date ``field`` of a row as known: ``field`` is "birth_date",
    "death_date", "start" or "end"; the row has ``<field>_accuracy`` (a code)
    and ``<field>_latest``."""
    code = getattr(row, f"{field}_accuracy", "") or DateAccuracy.EXACT
    return KnownDate(getattr(row, field), member(DateAccuracy, code), getattr(row, f"{field}_latest", None))


def in_words(row: Any, field: str) -> str:
    """``field`` of ``row`` in words with its accuracy ("about March 2019"),
    empty when there is no day."""
    return known(row, field).words() if getattr(row, field) is not None else ""


@dataclass(frozen=True)
class SpanAccuracy:
    """How well a period's start and end are known: accuracy codes
    (``DateAccuracy`` values; "accurate" is exact) and the latest days of
    "between" dates. The default is exact dates."""

    start_accuracy: str = DateAccuracy.EXACT.value
    start_latest: date | None = None
    end_accuracy: str = DateAccuracy.EXACT.value
    end_latest: date | None = None

    def check(self) -> None:
        """Raise RecordError naming the field for an accuracy a period's date
        cannot have (not a ``DateAccuracy`` code, or "expected")."""
        for field, code in (("start", self.start_accuracy), ("end", self.end_accuracy)):
            accuracy_error(code, field, span=True)

    def core(self) -> dict[str, Any]:
        """Keyword arguments of a core period record (``span_dates``)."""
        return span_dates(self)


def accuracy_error(code: str, field: str, *, span: bool = False) -> None:
    """Raise RecordError naming ``field`` when ``code`` is not an accuracy a
    date can have (``span``: a start or end, which cannot be "expected")."""
    allowed = span_accuracies() if span else tuple(DateAccuracy)
    if code not in {a.value for a in allowed}:
        raise RecordError("Choose how well the date is known from the list", field=field)


# A period whose dates, when given, are exact (the default of the services).
EXACT_SPAN = SpanAccuracy()
