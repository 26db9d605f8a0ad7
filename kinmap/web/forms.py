"""Form pieces shared by every page: GOV.UK date inputs and the version field
that refuses stale edits."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict

from kinmap.core.limits import date_range_problem
from kinmap.core.nhs import normalise_nhs_number
from kinmap.records.errors import RecordError, StaleEdit

from .converters import MAX_ID


class DateParts(forms.MultiWidget):
    """Three inputs (day, month, year), as the GOV.UK date input pattern."""

    template_name = "govuk/widgets/date_parts.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = DateParts

    def __init__(self, *, label: str = "", required: bool = False, **kwargs: Any) -> None:
        self.what = label or "Date"
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(fields, required=required, require_all_fields=False, label=label, **kwargs)

    def clean(self, value: Any) -> date | None:
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise forms.ValidationError(f"Enter the {self.what.lower()}", code="required")
            return None
        names = ("day", "month", "year")
        missing = [n for n, p in zip(names, parts, strict=True) if not p]
        if missing:
            raise forms.ValidationError(
                f"{self.what} must include a {' and '.join(missing)}", code="incomplete"
            )
        try:
            day, month, year = (int(p) for p in parts)
        except ValueError:
            raise forms.ValidationError(
                f"{self.what} must be a real date, in numbers", code="invalid"
            ) from None
        if not 1000 <= year <= 9999:
            raise forms.ValidationError(f"{self.what}: enter the year as 4 digits, like 2024", code="invalid")
        try:
            value = date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{self.what} must be a real date", code="invalid") from None
        problem = date_range_problem(value)
        if problem:
            raise forms.ValidationError(f"{self.what} {problem}", code="out_of_range")
        return value

    def compress(self, data_list: Any) -> Any:  # pragma: no cover - clean() does the work
        return data_list


class KnownDateField(GovukDateField):
    """A GOV.UK date input for a date that may be known only to the month or
    year (``kinmap.core.dates``): the day, or the day and month, may be left
    empty. An empty day reads as the first of the month and an empty month as
    January, or with ``latest`` as the last day of the month or year (the
    second date of "between"). Gives a ``date`` or None; ``parts_missing(data,
    name)`` says which parts the user left out."""

    def __init__(self, *, latest: bool = False, **kwargs: Any) -> None:
        self.latest = latest
        super().__init__(**kwargs)

    def clean(self, value: Any) -> date | None:
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        day, month, year = parts
        if year and not day:
            if not month:
                month = "12" if self.latest else "1"
            if not day:
                try:
                    last = calendar.monthrange(int(year), int(month))[1] if self.latest else 1
                except ValueError:
                    last = 1  # the full check below reports the bad month or year
                day = str(last)
        return super().clean([day, month, year])


def date_parts_missing(data: Any, name: str) -> tuple[str, ...]:
    """Which of "day" and "month" the user left empty in the GOV.UK date input
    ``name`` of submitted form ``data`` (a QueryDict)."""
    return tuple(
        part for i, part in enumerate(("day", "month")) if not str(data.get(f"{name}_{i}", "") or "").strip()
    )


ONE_ANSWER = "Give one answer to this question (more than one was sent)"
_MANY_VALUES = (forms.SelectMultiple, forms.CheckboxSelectMultiple, forms.MultipleHiddenInput)


class OneAnswerEach(forms.Form):
    """The base of every form of kinmap's pages: a question that takes one
    answer, sent with two (a forged or doubled submission: "link this person"
    and "add a new person" at once, say), is refused with an error on that
    question instead of Django's silent choice of the last value.

    Questions that take several answers (checkboxes, multiple selects) and
    GOV.UK date inputs (one value for each part) are not affected. Raises
    nothing; the error shows in the form's GOV.UK error summary like any
    other."""

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not hasattr(self.data, "getlist"):
            return
        for name, f in self.fields.items():
            if isinstance(f.widget, (*_MANY_VALUES, forms.MultiWidget)):
                continue
            if len(self.data.getlist(self.add_prefix(name))) > 1:
                self.add_error(name, ONE_ANSWER)


class VersionField(forms.IntegerField):
    """The hidden version of the record a form edits. A value that is not a
    whole number (never one the page sent) counts as no version at all, so the
    change is refused with the same "has changed since this page loaded"
    message as a missing or old one, rather than "Enter a whole number" about
    a field the user cannot see. Gives an ``int`` or ``None``."""

    def to_python(self, value: Any) -> int | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class VersionedForm(OneAnswerEach):
    """A form that carries the version of the record it edits, so that an edit
    based on an old copy of the record is refused.

    The field itself is optional so that a form sent without it reaches the
    service, which refuses it exactly as it refuses an old version
    (:func:`kinmap.records.errors.check_version`), with the same message; the
    view then shows it with :func:`refuse_stale`."""

    version = VersionField(widget=forms.HiddenInput, required=False)


def apply_errors(form: forms.Form, err: RecordError, field_map: dict[str, str] | None = None) -> None:
    """Show a refused change on the form, next to the field at fault where there
    is one (``field_map`` renames a service's field to the form's)."""
    fmap = field_map or {}
    for p in err.problems:
        name = fmap.get(p.field, p.field)
        form.add_error(name if name in form.fields else None, p.message)


def _plain(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        value = " ".join(value.split())
        return normalise_nhs_number(value) if name == "nhs_number" else value
    return value


def _shown(f: forms.Field, value: Any) -> str:
    if isinstance(f.widget, forms.CheckboxInput):
        return "Yes" if value else "No"
    if value in (None, ""):
        return "Not recorded"
    if isinstance(f, forms.ChoiceField):
        return str(dict(f.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def refuse_stale(form: forms.Form, err: StaleEdit, current: dict[str, Any]) -> list[tuple[str, str]]:
    """Refuse an edit made on an old copy of a record (or sent without saying
    which copy), keeping what the user entered.

    ``current`` holds the record's values as saved now, by field name, with its
    ``version``. The form moves on to that version, so that saving again
    (having looked at what changed) replaces it. Returns, for each field where
    what is saved now differs from what the user entered, its label and saved
    value (for "What is saved now").
    """
    saved = []
    for name, value in current.items():
        f = form.fields.get(name)
        if name == "version" or f is None or f.disabled:
            continue
        if _plain(name, form.cleaned_data.get(name)) != _plain(name, value):
            saved.append((str(f.label), _shown(f, value)))
    data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
    data[form.add_prefix("version")] = str(current["version"])
    form.data = data
    apply_errors(form, err)
    return saved


class ObjectIdField(forms.IntegerField):
    """A record's reference number typed by a user (a family network's, say): a
    whole number from 1 to :data:`kinmap.web.converters.MAX_ID`, the range of a
    database key. A number outside it is refused with ``not_found``, the message
    for a reference that matches no record, before it reaches the database."""

    def __init__(self, *, not_found: str, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
        self.error_messages["min_value"] = not_found
        self.error_messages["max_value"] = not_found
