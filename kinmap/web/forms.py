"""Form pieces shared by every page: GOV.UK date inputs and the version field
that refuses stale edits."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from kinmap.core.limits import date_range_problem


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


class VersionedForm(forms.Form):
    """A form that carries the version of the record it edits, so that an edit
    based on an old copy of the record is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
