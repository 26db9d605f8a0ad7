"""Form pieces shared by every page: GOV.UK date inputs and the version field
that refuses stale edits."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

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
        if year < 1900 or year > 2200:
            raise forms.ValidationError(f"{self.what}: enter the year as 4 digits, like 2024", code="invalid")
        try:
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{self.what} must be a real date", code="invalid") from None

    def compress(self, data_list: Any) -> Any:  # pragma: no cover - clean() does the work
        return data_list


class VersionedForm(forms.Form):
    """A form that carries the version of the record it edits, so that an edit
    based on an old copy of the record is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ObjectIdField(forms.IntegerField):
    """A record's reference number typed by a user (a family network's, say): a
    whole number from 1 to :data:`kinmap.web.converters.MAX_ID`, the range of a
    database key. A number outside it is refused with ``not_found``, the message
    for a reference that matches no record, before it reaches the database."""

    def __init__(self, *, not_found: str, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
        self.error_messages["min_value"] = not_found
        self.error_messages["max_value"] = not_found
