"""Form pieces for the record's dates as people know them: each date is a
GOV.UK date input that may leave out the day (or day and month), how well it
is known (``kinmap.core.vocab.DateAccuracy``) and, for "between", a second
date. They check the shape of the answer only; which dates can be is the
core's rule (``kinmap.core.validation``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from kinmap.core.dates import KnownDate, must_be_before, span_accuracies
from kinmap.core.vocab import DATE_ACCURACY_LABELS, DateAccuracy
from kinmap.records.known_dates import SpanAccuracy
from kinmap.web.forms import KnownDateField, OneAnswerEach, date_parts_missing

SPAN_ACCURACY_CHOICES = [
    (a.value, DATE_ACCURACY_LABELS[a]) for a in span_accuracies() if a is not DateAccuracy.UNKNOWN
]
# accuracies whose recorded day is the day itself (the day must be given)
_DAY_NEEDED = frozenset({DateAccuracy.EXACT, DateAccuracy.ABOUT, DateAccuracy.BEFORE, DateAccuracy.AFTER})


def birth_accuracy_choices() -> list[tuple[str, str]]:
    """The choices, as (code, words), for how well an index child's date of
    birth is known when a family network is started: every accuracy a date of
    birth can have (``kinmap.core.vocab.DateAccuracy``), each saying whether
    the child is born; "between" takes the second date (``birth_date_latest``)."""
    born = {
        DateAccuracy.EXACT: "the date of birth is known",
        DateAccuracy.ABOUT: "the date of birth is estimated (about)",
        DateAccuracy.MONTH: "only the month and year are known",
        DateAccuracy.YEAR: "only the year is known",
        DateAccuracy.BEFORE: "born before the date given",
        DateAccuracy.AFTER: "born after the date given",
        DateAccuracy.BETWEEN: "born between two dates (give the second date too)",
    }
    return [
        *((a.value, f"Born: {words}") for a, words in born.items()),
        (DateAccuracy.EXPECTED.value, "Not born yet: this is the expected date"),
        (DateAccuracy.UNKNOWN.value, "Born: the date of birth is not known"),
    ]


def add_known_date(form: forms.Form, name: str, label: str, *, accuracy: bool = True) -> None:
    """Make ``name`` of ``form`` a date that may be partial, and add
    ``<name>_accuracy`` (a select of the accuracies a start, end or death can
    have, exact by default; left alone when ``accuracy`` is False because the
    form has its own) and ``<name>_latest`` (the second date of "between")."""
    old = form.fields[name]
    form.fields[name] = KnownDateField(label=old.label or label, help_text=old.help_text)
    if accuracy:
        form.fields[f"{name}_accuracy"] = forms.ChoiceField(
            label=f"How well is the {label.lower()} known?",
            choices=SPAN_ACCURACY_CHOICES,
            initial=DateAccuracy.EXACT.value,
            required=False,
        )
    form.fields[f"{name}_latest"] = KnownDateField(
        label=f"{label}: the second date, for 'between'",
        latest=True,
        help_text="The latest it can be. Leave the day, or the day and month, empty if not known",
    )


def clean_known_date(form: forms.Form, data: dict[str, Any], name: str, label: str) -> None:
    """Check the date ``name`` against its accuracy in ``data`` (a form's
    cleaned data, changed in place): a day is needed for exact, about, before
    and after; a month or year date is kept as its first day; "between" needs
    its second date, after the first; a second date is dropped for any other
    accuracy. Errors are added to ``form`` on the field at fault."""
    day: date | None = data.get(name)
    code = data.get(f"{name}_accuracy") or DateAccuracy.EXACT.value
    try:
        acc = DateAccuracy(code)
    except ValueError:
        return  # the choice field has already said so
    data[f"{name}_accuracy"] = acc.value
    latest = data.get(f"{name}_latest")
    if acc is not DateAccuracy.BETWEEN:
        data[f"{name}_latest"] = None
    if day is None:
        return
    missing = date_parts_missing(form.data, form.add_prefix(name))
    if acc in _DAY_NEEDED and missing:
        fix = "'Year only'" if "month" in missing else "'Month and year'"
        form.add_error(name, f"{label} must include a day, or choose {fix}")
    elif acc is DateAccuracy.MONTH:
        data[name] = day.replace(day=1)
    elif acc is DateAccuracy.YEAR:
        data[name] = day.replace(month=1, day=1)
    elif acc is DateAccuracy.BETWEEN:
        if latest is None and f"{name}_latest" not in form.errors:
            form.add_error(f"{name}_latest", f"{label}: enter the second date, for 'between'")
        elif latest is not None and latest < day:
            form.add_error(f"{name}_latest", f"{label}: the second date must be after the first")


def known_date_value(data: dict[str, Any], name: str) -> dict[str, Any]:
    """The date ``name`` with its accuracy and second date from cleaned
    ``data``, keyed as the model fields (``start``, ``start_accuracy``,
    ``start_latest``)."""
    return {
        name: data.get(name),
        f"{name}_accuracy": data.get(f"{name}_accuracy") or DateAccuracy.EXACT.value,
        f"{name}_latest": data.get(f"{name}_latest"),
    }


def known_date_initial(row: Any, name: str) -> dict[str, Any]:
    """A form's initial values for the date ``name`` of ``row``: a month date
    shows no day, a year date neither day nor month."""
    day = getattr(row, name)
    acc = DateAccuracy(getattr(row, f"{name}_accuracy", "") or DateAccuracy.EXACT)
    shown: Any = day
    if day is not None and acc is DateAccuracy.MONTH:
        shown = [None, day.month, day.year]
    elif day is not None and acc is DateAccuracy.YEAR:
        shown = [None, None, day.year]
    latest = getattr(row, f"{name}_latest", None)
    return {name: shown, f"{name}_accuracy": acc.value, f"{name}_latest": latest}


class PeriodDates(OneAnswerEach):
    """A form's ``start`` and ``end`` as dates people know (put it first among
    the bases, so its checks run with the form's own): each with its accuracy
    and second date, and an end that must not be before the start under every
    reading (``end_before_start``, the message)."""

    end_before_start = "The end date must be on or after the start date"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_known_date(self, "start", "Start date")
        add_known_date(self, "end", "End date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clean_known_date(self, data, "start", "The start date")
        clean_known_date(self, data, "end", "The end date")
        start, end = self.known("start"), self.known("end")
        if start.on and end.on and not {"start", "end"} & set(self.errors) and must_be_before(end, start):
            self.add_error("end", self.end_before_start)
        return data

    def known(self, name: str) -> KnownDate:
        """The date ``name`` ("start" or "end") as known, from the cleaned data."""
        d = self.cleaned_data
        code = d.get(f"{name}_accuracy") or DateAccuracy.EXACT.value
        return KnownDate(d.get(name), DateAccuracy(code), d.get(f"{name}_latest"))

    def period_value(self) -> dict[str, Any]:
        """``start``, ``end`` and their accuracy fields, keyed as the models'."""
        return {**known_date_value(self.cleaned_data, "start"), **known_date_value(self.cleaned_data, "end")}

    def span_accuracy(self) -> SpanAccuracy:
        """How well ``start`` and ``end`` are known, as the services take it."""
        v = self.period_value()
        return SpanAccuracy(v["start_accuracy"], v["start_latest"], v["end_accuracy"], v["end_latest"])


def period_initial(row: Any) -> dict[str, Any]:
    """A period form's initial ``start`` and ``end`` with their accuracy fields."""
    return {**known_date_initial(row, "start"), **known_date_initial(row, "end")}
