"""Forms for safety information and the materials catalogue. They parse input;
the services decide what may be recorded."""

from __future__ import annotations

from typing import Any

from django import forms

from kinmap.core import limits
from kinmap.web.forms import GovukDateField, OneAnswerEach, VersionedForm

from . import models as cm
from .services import InformationData, MaterialData


class InformationForm(OneAnswerEach):
    materials = forms.MultipleChoiceField(
        label="Which information?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose everything you gave or offered at the same time",
    )
    outcome = forms.ChoiceField(
        label="Did they take it?",
        choices=[("given", "Yes, it was given"), ("declined", "No, it was offered and declined")],
        initial="given",
        widget=forms.RadioSelect,
    )
    how = forms.ChoiceField(label="How?", choices=cm.HOW_CHOICES, widget=forms.RadioSelect, required=False)
    given_on = GovukDateField(label="Date", help_text="For example, 27 3 2026")
    declined_reason = forms.CharField(
        label="If they declined, why? In their words",
        required=False,
        widget=forms.Textarea,
        max_length=limits.DECLINED_REASON_MAX,
    )

    def __init__(self, *args: Any, materials: list[cm.Material], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._materials = {str(m.pk): m for m in materials}
        field = self.fields["materials"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(m.pk), m.title) for m in materials]

    def information_data(self) -> InformationData:
        d = self.cleaned_data
        return InformationData(
            materials=[self._materials[pk] for pk in d.get("materials") or []],
            how=d.get("how") or "",
            given_on=d.get("given_on"),
            declined=d.get("outcome") == "declined",
            declined_reason=d.get("declined_reason") or "",
        )


class InviteForm(OneAnswerEach):
    contact_type = forms.ChoiceField(
        label="Which contact?", choices=cm.CONTACT_TYPE_CHOICES, widget=forms.RadioSelect, required=False
    )
    contact_on = GovukDateField(label="Date of the contact", help_text="For example, 27 3 2026")


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=[(k, v) for k, v in cm.OUTCOME_CHOICES if k != "pending"],
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=limits.OUTCOME_NOTE_MAX, widget=forms.Textarea
    )


class MaterialForm(VersionedForm):
    code = forms.CharField(
        label="Code",
        max_length=40,
        required=False,
        help_text="A short name used in records, like safer-sleep: lower-case letters, numbers and hyphens",
    )
    title = forms.CharField(label="Title", max_length=200, required=False)
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea,
        required=False,
        help_text="What the material says, in plain English. This is printed in carer packs: "
        "start each paragraph on a new line.",
    )
    audience = forms.ChoiceField(
        label="Who is it for?", choices=cm.AUDIENCE_CHOICES, widget=forms.RadioSelect, initial="all"
    )
    due_from_days = forms.IntegerField(
        label="Due from the child's age (days)",
        required=False,
        min_value=0,
        help_text="Leave empty if it is due from birth (or before)",
    )
    due_to_days = forms.IntegerField(
        label="Due until the child's age (days)",
        required=False,
        min_value=0,
        help_text="For example, 365 for the first year. Leave empty for no end",
    )
    formats = forms.MultipleChoiceField(
        label="Formats", choices=cm.FORMAT_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.CharField(
        label="Languages",
        required=False,
        help_text="Separate languages with commas, like English, Polish, Urdu",
    )
    url = forms.CharField(label="Web address", required=False, max_length=200)

    def material_data(self) -> MaterialData:
        d = self.cleaned_data
        return MaterialData(
            code=d.get("code") or "",
            title=d.get("title") or "",
            summary=d.get("summary") or "",
            audience=d.get("audience") or "",
            due_from_days=d.get("due_from_days"),
            due_to_days=d.get("due_to_days"),
            formats=tuple(d.get("formats") or ()),
            languages=tuple((d.get("languages") or "").split(",")),
            url=d.get("url") or "",
        )

    @classmethod
    def initial_for(cls, m: cm.Material) -> dict[str, Any]:
        return {
            "code": m.code,
            "title": m.title,
            "summary": m.summary,
            "audience": m.audience,
            "due_from_days": m.due_from_days,
            "due_to_days": m.due_to_days,
            "formats": list(m.formats),
            "languages": ", ".join(m.languages),
            "url": m.url,
            "version": m.version,
        }


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why is it being withdrawn?", widget=forms.Textarea, required=False, max_length=1000
    )
