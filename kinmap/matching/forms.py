"""The search form: shape of input only."""

from __future__ import annotations

from typing import Any

from django import forms

from kinmap.core import limits
from kinmap.core.matching import MatchRecord
from kinmap.core.nhs import nhs_number_error, normalise_nhs_number
from kinmap.web.forms import GovukDateField, OneAnswerEach


class SearchForm(OneAnswerEach):
    given_name = forms.CharField(label="Given name", required=False, max_length=limits.NAME_MAX)
    family_name = forms.CharField(
        label="Family name",
        required=False,
        max_length=limits.NAME_MAX,
        help_text="Previous and other names are searched too",
    )
    birth_date = GovukDateField(label="Date of birth", help_text="For example, 27 3 2019")
    birth_date_estimated = forms.BooleanField(label="The date of birth is an estimate", required=False)
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    postcode = forms.CharField(label="Postcode", required=False, max_length=limits.POSTCODE_MAX)
    phone = forms.CharField(label="Phone number", required=False, max_length=limits.PHONE_MAX)

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data.get("nhs_number") or ""
        if value.strip() and (err := nhs_number_error(value)):
            raise forms.ValidationError(err)
        return normalise_nhs_number(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        narrow = ("family_name", "birth_date", "nhs_number", "postcode", "phone")
        if not self.errors and not any(data.get(f) for f in narrow):
            self.add_error(
                "family_name",
                "Enter a family name, a date of birth, an NHS number, a postcode or a phone number",
            )
        return data

    def record(self) -> MatchRecord:
        """The search as a match record (after ``is_valid``)."""
        d = self.cleaned_data
        return MatchRecord(
            given_name=d.get("given_name") or "",
            family_name=d.get("family_name") or "",
            birth_date=d.get("birth_date"),
            birth_date_estimated=bool(d.get("birth_date_estimated")),
            nhs_number=d.get("nhs_number") or "",
            postcodes=(d["postcode"],) if d.get("postcode") else (),
            phones=(d["phone"],) if d.get("phone") else (),
        )

    def searched(self) -> dict[str, str]:
        """What was searched, for the audit trail: each field typed, as typed."""
        return {
            name: str(value) for name, value in self.cleaned_data.items() if value not in ("", None, False)
        }
