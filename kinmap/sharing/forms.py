"""Forms for emergency access, information requests and sharing decisions. They
check the shape of input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from kinmap.accounts.models import Agency
from kinmap.records.services import AddressData
from kinmap.web.forms import GovukDateField, ObjectIdField, OneAnswerEach, VersionedForm

from . import facts
from .models import BreakGlassAccess, LawfulBasis, SharingDecision, Urgency

YES_NO = [("yes", "Yes"), ("no", "No")]
ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "postcode")


class BreakGlassForm(OneAnswerEach):
    network = ObjectIdField(
        label="Family network reference",
        not_found="There is no family network with this reference",
        help_text="The number of the family network, as given by the team that holds it",
        error_messages={"required": "Enter the family network reference", "invalid": "Enter a number"},
    )
    reason = forms.CharField(
        label="Why do you need to see this family now?",
        widget=forms.Textarea,
        max_length=2000,
        help_text=(
            "Your supervisor (or whoever oversees your team) is told, "
            "and the reason is kept in the audit trail"
        ),
        error_messages={"required": "Say why you need to see this family now"},
    )
    hours = forms.TypedChoiceField(
        label="For how long?",
        coerce=int,
        choices=[(h, f"{h} hour{'s' if h != 1 else ''}") for h in (1, 2, 4, 8, 12, 24)],
        initial=BreakGlassAccess.DEFAULT_HOURS,
        widget=forms.RadioSelect,
    )


class FamilyToldFields(OneAnswerEach):
    family_told = forms.ChoiceField(
        label="Has the family been told (or will they be told) that this is shared?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the family has been or will be told"},
    )
    family_not_told_reason = forms.CharField(
        label="If not, why not?",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text="For example: telling them would put the child at risk of harm",
    )

    def family_told_value(self) -> bool | None:
        v = self.cleaned_data.get("family_told")
        return None if not v else v == "yes"


class RequestForm(OneAnswerEach):
    what = forms.ChoiceField(label="What do you need to know?", choices=[])
    to_agency = forms.TypedChoiceField(
        label="Which agency do you want to ask?",
        coerce=int,
        choices=[],
        error_messages={"required": "Choose the agency to ask"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for asking",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        initial=LawfulBasis.SAFEGUARDING,
        error_messages={"required": "Choose the lawful basis for asking"},
    )
    purpose = forms.CharField(
        label="Why do you need it?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="Say how it helps keep the child safe. The other agency reads this",
        error_messages={"required": "Say why you need this information"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.STANDARD,
        error_messages={"required": "Choose how urgent this is"},
    )
    gap_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, agencies: list[Agency], what: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = facts.choices()
        if what and facts.is_requestable(what) and what not in dict(options):
            options.append((what, facts.what_label(what)))
        what_field = self.fields["what"]
        assert isinstance(what_field, forms.ChoiceField)
        what_field.choices = options
        agency_field = self.fields["to_agency"]
        assert isinstance(agency_field, forms.ChoiceField)
        agency_field.choices = [("", "Choose an agency"), *((a.pk, a.name) for a in agencies)]


class FromSearchRequestForm(RequestForm):
    """The request form prefilled from a search's match in a network the user
    may not see: the agencies holding the match to choose from (the first
    chosen), and who in the user's own families the request is about."""

    about = forms.ChoiceField(
        label="Who in your families is this about?",
        choices=[],
        help_text="The agency is told that your search found someone they hold who may be this person",
        error_messages={"required": "Choose who in your families this is about"},
    )
    field_order = ["about", "what", "to_agency", "lawful_basis", "purpose", "urgency"]

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        about = self.fields["about"]
        assert isinstance(about, forms.ChoiceField)
        about.choices = [("", "Choose a person"), *people]

    def about_ids(self) -> tuple[int, int]:
        """(network id, person id) chosen (after ``is_valid``)."""
        network, person = self.cleaned_data["about"].split(":")
        return int(network), int(person)


class AnswerForm(VersionedForm, FamilyToldFields):
    text = forms.CharField(label="Answer", required=False, widget=forms.Textarea, max_length=2000)
    given_name = forms.CharField(label="Given name", required=False, max_length=100)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    on = GovukDateField(label="Date of birth", help_text="For example, 27 3 1990")
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    address_line_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    masked = forms.BooleanField(
        label="This detail must be masked",
        required=False,
        help_text="For example, a refuge address. Only people entitled to see masked details will see it",
    )
    rationale = forms.CharField(
        label="Why is sharing this justified?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why sharing this is justified"},
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {
            "date": {"on"},
            "name": {"given_name", "family_name"},
            "phone": {"text", "masked"},
            "address": {"address_line_1", "address_line_2", "town", "postcode", "masked"},
        }.get(kind, {"text"})
        optional = ("text", "given_name", "family_name", "on", "masked", *ADDRESS_FIELDS)
        for name in optional:
            if name not in keep:
                del self.fields[name]
        if kind == "phone":
            self.fields["text"].label = "Telephone number"
            self.fields["text"].widget = forms.TextInput()
        elif kind == "text":
            self.fields["text"].required = True
            self.fields["text"].error_messages["required"] = "Enter the answer"

    def answer(self) -> facts.Answer:
        d = self.cleaned_data
        address = None
        if self.kind == "address":
            address = AddressData(
                address_line_1=d.get("address_line_1") or "",
                address_line_2=d.get("address_line_2") or "",
                town=d.get("town") or "",
                postcode=d.get("postcode") or "",
                masked=bool(d.get("masked")),
            )
        return facts.Answer(
            text=(d.get("text") or "").strip(),
            given_name=d.get("given_name") or "",
            family_name=d.get("family_name") or "",
            on=d.get("on"),
            address=address,
            masked=bool(d.get("masked")),
        )


class DeclineForm(VersionedForm, FamilyToldFields):
    reason = forms.CharField(
        label="Why will this not be shared?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why the information will not be shared"},
    )


class SharingDecisionForm(FamilyToldFields):
    decision = forms.ChoiceField(
        label="Decision",
        choices=SharingDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the information was shared"},
    )
    what = forms.CharField(
        label="What information?",
        max_length=300,
        help_text="Describe it; do not copy masked details here",
        error_messages={"required": "Say what information the decision is about"},
    )
    with_whom = forms.CharField(
        label="With whom (or who asked)?",
        max_length=200,
        error_messages={"required": "Say who it was shared with, or who asked"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lawful basis"},
    )
    rationale = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Give the reason for the decision"},
    )
