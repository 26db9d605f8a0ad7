"""Forms for the family record. They parse and check the shape of input only;
the rules about families live in the core and the services."""

from __future__ import annotations

from typing import Any

from django import forms

from kinmap.core import limits
from kinmap.core.nhs import nhs_number_error
from kinmap.core.vocab import REL_TYPES, DateAccuracy
from kinmap.web.forms import GovukDateField, OneAnswerEach, VersionedForm

from . import models as m
from .date_forms import (
    PeriodDates,
    add_known_date,
    birth_accuracy_choices,
    clean_known_date,
    known_date_initial,
    known_date_value,
)
from .services import AddressData, CareData, PersonData, RelationshipData, Source_

SOURCE_CHOICES = [("", "Not recorded"), *m.SOURCE_CHOICES]


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class SourceFields(OneAnswerEach):
    source = forms.ChoiceField(
        label="Where did this information come from?",
        choices=SOURCE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    source_detail = forms.CharField(
        label="Who said it, or which agency or document",
        required=False,
        max_length=limits.SOURCE_DETAIL_MAX,
        help_text="For example: 'the mother, at the new birth visit', or 'Children's social care'",
    )

    def source_value(self) -> Source_:
        return Source_(self.cleaned_data.get("source") or "", self.cleaned_data.get("source_detail") or "")


class AddressFields(OneAnswerEach):
    """The fields of an address, with the record's lengths."""

    address_line_1 = forms.CharField(
        label="Address line 1", required=False, max_length=limits.ADDRESS_LINE_MAX
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", required=False, max_length=limits.ADDRESS_LINE_MAX
    )
    town = forms.CharField(label="Town or city", required=False, max_length=limits.TOWN_MAX)
    postcode = forms.CharField(label="Postcode", required=False, max_length=limits.POSTCODE_MAX)
    masked = forms.BooleanField(
        label="Mask this address",
        required=False,
        help_text="For example, a refuge. Only people entitled to see masked details will see it",
    )

    def address_data(self) -> AddressData:
        d = self.cleaned_data
        return AddressData(
            address_line_1=d.get("address_line_1") or "",
            address_line_2=d.get("address_line_2") or "",
            town=d.get("town") or "",
            postcode=d.get("postcode") or "",
            masked=bool(d.get("masked")),
        )


class PersonForm(VersionedForm, SourceFields):
    given_name = forms.CharField(label="Given name", required=False, max_length=limits.NAME_MAX)
    family_name = forms.CharField(label="Family name", required=False, max_length=limits.NAME_MAX)
    name_absent_reason = forms.CharField(
        label="If the name is not known, say why",
        required=False,
        max_length=limits.NAME_ABSENT_REASON_MAX,
        help_text="For example: 'mother does not want to say who the father is'",
    )
    sex = forms.ChoiceField(label="Sex", choices=m.SEX_CHOICES, initial="unknown", widget=forms.RadioSelect)
    birth_date = GovukDateField(
        label="Date of birth", help_text="For an unborn child, the expected date. For example, 27 3 2025"
    )
    birth_date_accuracy = forms.ChoiceField(
        label="How sure is the date of birth?",
        choices=m.ACCURACY_CHOICES,
        initial="unknown",
        widget=forms.RadioSelect,
    )
    nhs_number = forms.CharField(
        label="NHS number",
        required=False,
        max_length=limits.NHS_NUMBER_INPUT_MAX,
        help_text="10 digits, like 943 476 5919",
    )
    phone = forms.CharField(label="Telephone", required=False, max_length=limits.PHONE_MAX)
    phone_masked = forms.BooleanField(
        label="Mask this telephone number",
        required=False,
        help_text="Only people entitled to see masked details will see it",
    )
    email = forms.EmailField(label="Email", required=False, max_length=limits.EMAIL_MAX)
    death_date = GovukDateField(label="Date of death (if they have died)")
    seen_directly_on = GovukDateField(
        label="Date a practitioner last saw or spoke to them directly",
        help_text="Leave empty if they have only been described by others",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_known_date(self, "birth_date", "Date of birth", accuracy=False)
        add_known_date(self, "death_date", "Date of death")

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data.get("nhs_number") or ""
        if value.strip():
            err = nhs_number_error(value)
            if err:
                raise forms.ValidationError(err)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not (data.get("given_name") or "").strip()
            and not (data.get("family_name") or "").strip()
            and not (data.get("name_absent_reason") or "").strip()
        ):
            self.add_error("given_name", "Enter a name, or say why the name is not known")
        acc = data.get("birth_date_accuracy")
        if data.get("birth_date") is None and acc not in (None, "", DateAccuracy.UNKNOWN):
            self.add_error("birth_date", "Enter the date of birth, or choose 'Not known'")
        if acc != DateAccuracy.UNKNOWN:
            clean_known_date(self, data, "birth_date", "Date of birth")
        if "death_date" in self.fields:
            clean_known_date(self, data, "death_date", "Date of death")
        return data

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            given_name=d.get("given_name") or "",
            family_name=d.get("family_name") or "",
            name_absent_reason=d.get("name_absent_reason") or "",
            sex=d.get("sex") or "unknown",
            birth_date=d.get("birth_date"),
            birth_date_accuracy=d.get("birth_date_accuracy") or "unknown",
            death_date=d.get("death_date"),
            death_date_accuracy=d.get("death_date_accuracy") or DateAccuracy.EXACT.value,
            death_date_latest=d.get("death_date_latest"),
            birth_date_latest=d.get("birth_date_latest"),
            nhs_number=d.get("nhs_number") or "",
            phone=d.get("phone") or "",
            phone_masked=bool(d.get("phone_masked")),
            email=d.get("email") or "",
            seen_directly_on=d.get("seen_directly_on"),
        )

    @classmethod
    def initial_for(cls, p: m.Person) -> dict[str, Any]:
        return {
            **{f: getattr(p, f) for f in PersonData.__dataclass_fields__},
            **known_date_initial(p, "birth_date"),
            **known_date_initial(p, "death_date"),
            "version": p.version,
        }


class StartNetworkForm(PersonForm):
    """The index child: born, or unborn with an expected date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "death_date",
            "death_date_accuracy",
            "death_date_latest",
            "seen_directly_on",
            "phone",
            "phone_masked",
            "email",
        ):
            del self.fields[name]
        self.fields["birth_date_accuracy"].label = "Is the child born?"
        _choices(self, "birth_date_accuracy", birth_accuracy_choices())


def relationship_choices() -> list[tuple[str, str]]:
    """'X is <label> of the person chosen', then the reverse of each parent type."""
    out = [(t.code, f"is the {t.noun} of") for t in REL_TYPES]
    out += [
        (f"{t.code}:reverse", f"is a child of (they are the {t.noun})")
        for t in REL_TYPES
        if t.kind == "parent"
    ]
    return out


def split_relationship(value: str) -> tuple[str, bool]:
    code, _, rev = value.partition(":")
    return code, rev == "reverse"


class RelationshipFields(OneAnswerEach):
    relationship = forms.ChoiceField(label="Relationship", choices=[], required=False)
    related_to = forms.TypedChoiceField(label="To", choices=[], coerce=int, required=False)
    rel_start = GovukDateField(label="Relationship started (if known)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_known_date(self, "rel_start", "Start of the relationship")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clean_known_date(self, data, "rel_start", "The relationship start date")
        return data

    def set_people(self, people: list[tuple[int, str]], default: int | None = None) -> None:
        _choices(self, "relationship", [("", "Choose a relationship"), *relationship_choices()])
        _choices(self, "related_to", people)
        if default is not None:
            self.fields["related_to"].initial = default

    def relationship_value(self) -> tuple[RelationshipData | None, int | None, bool]:
        value = self.cleaned_data.get("relationship") or ""
        if not value:
            return None, None, False
        code, reverse = split_relationship(value)
        dates = known_date_value(self.cleaned_data, "rel_start")
        return (
            RelationshipData(
                type=code,
                start=dates["rel_start"],
                start_accuracy=dates["rel_start_accuracy"],
                start_latest=dates["rel_start_latest"],
            ),
            self.cleaned_data.get("related_to"),
            reverse,
        )


LIVES_WITH_CHILD, LIVES_ELSEWHERE = "with-child", "elsewhere"


class AddPersonForm(PersonForm, RelationshipFields, AddressFields):
    """A new person: who they are, how they are related, where they live and
    the other names they have been known by."""

    lives = forms.ChoiceField(
        label="Where do they live?",
        choices=[
            (LIVES_WITH_CHILD, "With the child"),
            (LIVES_ELSEWHERE, "At another address"),
            ("", "Not known yet"),
        ],
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    other_names = forms.CharField(
        label="Other names they have been known by (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.NAME_MAX * 10,
        help_text="One name a line, given name then family name",
    )
    other_names_kind = forms.ChoiceField(
        label="Are these previous names or aliases?",
        choices=[("previous", "Previous names"), ("alias", "Aliases")],
        initial="previous",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, people: list[tuple[int, str]], default: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_people(people, default)
        self.fields["relationship"].label = "How are they related?"
        self.fields["related_to"].label = "To whom"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_address = any((data.get(f) or "").strip() for f in ("address_line_1", "postcode"))
        if data.get("lives") == LIVES_ELSEWHERE and not has_address:
            self.add_error("address_line_1", "Enter the first line of the address or the postcode")
        return data

    def other_names_value(self) -> list[tuple[str, str, str]]:
        """Each line as (kind, given name, family name): the last word is the
        family name, the words before it the given name ("Jo" alone is a given name)."""
        kind = self.cleaned_data.get("other_names_kind") or "previous"
        out = []
        for line in (self.cleaned_data.get("other_names") or "").splitlines():
            words = line.split()
            if words:
                given, family = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (words[0], "")
                out.append((kind, given, family))
        return out


class RelationshipForm(PeriodDates, VersionedForm, SourceFields):
    from_person = forms.TypedChoiceField(label="Person", choices=[], coerce=int)
    type = forms.ChoiceField(label="Is the", choices=[])
    to_person = forms.TypedChoiceField(label="Of", choices=[], coerce=int)
    legal_basis = forms.ChoiceField(
        label="For a legal parent: how are they the child's legal parent?",
        help_text="A second mother, or a parent by a parental order or adoption. The birth mother "
        "stays the person who gave birth.",
        choices=m.LEGAL_BASIS_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    start = GovukDateField(label="Start date (if known)")
    end = GovukDateField(label="End date (if it has ended)")

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "from_person", people)
        _choices(self, "to_person", people)
        _choices(self, "type", [(t.code, t.noun) for t in REL_TYPES])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_person") is not None and data.get("from_person") == data.get("to_person"):
            self.add_error("to_person", "A person cannot be related to themselves")
        return data

    def relationship_data(self) -> RelationshipData:
        d = self.cleaned_data
        return RelationshipData(type=d["type"], legal_basis=d.get("legal_basis") or "", **self.period_value())


class ResidenceForm(PeriodDates, VersionedForm, SourceFields, AddressFields):
    person = forms.TypedMultipleChoiceField(
        label="Who lives there?",
        choices=[],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose everyone who lives at this address",
        error_messages={"required": "Choose who lives there"},
    )
    household = forms.TypedChoiceField(
        label="Address", choices=[], coerce=int, required=False, widget=forms.RadioSelect, empty_value=None
    )
    start = GovukDateField(label="Moved in (if known)")
    end = GovukDateField(label="Moved out (if they have left)")

    def __init__(
        self, *args: Any, people: list[tuple[int, str]], households: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "person", people)
        _choices(self, "household", [*households, (0, "A new address")])


class CareForm(PeriodDates, VersionedForm, SourceFields):
    carer = forms.TypedChoiceField(label="Who gives the care", choices=[], coerce=int)
    child = forms.TypedChoiceField(label="To which child", choices=[], coerce=int)
    place = forms.ChoiceField(label="Where", choices=m.PLACE_CHOICES, widget=forms.RadioSelect)
    frequency = forms.CharField(
        label="How often",
        max_length=limits.FREQUENCY_MAX,
        required=False,
        help_text="For example: 'on Fridays', 'every other weekend'",
    )
    overnight = forms.BooleanField(label="The child stays overnight", required=False)
    supervised = forms.BooleanField(label="Another adult is always there (supervised)", required=False)
    sleep_place = forms.CharField(
        label="Where does the baby sleep during this care?",
        required=False,
        max_length=limits.SLEEP_PLACE_MAX,
        help_text="For example: 'own cot in the carer's bedroom'",
    )
    start = GovukDateField(label="Since when (if known)")
    end = GovukDateField(label="Ended on (if it has ended)")

    def __init__(
        self, *args: Any, carers: list[tuple[int, str]], children: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "carer", carers)
        _choices(self, "child", children)
        _choices(self, "place", [(k, v[:1].upper() + v[1:]) for k, v in m.PLACE_CHOICES])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("carer") is not None and data.get("carer") == data.get("child"):
            self.add_error("carer", "A child cannot be their own carer")
        return data

    def care_data(self) -> CareData:
        d = self.cleaned_data
        return CareData(
            place=d["place"],
            frequency=(d.get("frequency") or "").strip(),
            overnight=bool(d.get("overnight")),
            supervised=bool(d.get("supervised")),
            sleep_place=(d.get("sleep_place") or "").strip(),
            **self.period_value(),
        )


class RemoveRelationshipForm(VersionedForm):
    reason = forms.CharField(
        label="Why is this relationship being removed?",
        max_length=1000,
        widget=forms.Textarea,
        help_text="For example: 'recorded by mistake: he is the mother's brother, not her partner'",
        error_messages={"required": "Say why this relationship is being removed"},
    )


class StayForm(PeriodDates, VersionedForm):
    """When one person lived at one address."""

    end_before_start = "The date they left must be on or after the date they moved in"

    start = GovukDateField(label="Moved in (if known)")
    end = GovukDateField(
        label="Moved out (if they have left)", help_text="Leave empty if they still live there"
    )


class AddressForm(VersionedForm, AddressFields):
    """A household's address, changed."""


class ParentalResponsibilityForm(PeriodDates, VersionedForm, SourceFields):
    person = forms.TypedChoiceField(label="Who", choices=[], coerce=int)
    child = forms.TypedChoiceField(label="For which child", choices=[], coerce=int)
    basis = forms.ChoiceField(
        label="Do they have parental responsibility, and on what basis?",
        choices=m.PR_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the basis of parental responsibility"},
    )
    start = GovukDateField(
        label="Since when (if known)",
        help_text="For example, the date of a court order. An adoption or parental order needs its date: "
        "it ends everyone else's parental responsibility from that day.",
    )
    end = GovukDateField(
        label="Until when (leave empty if it has not ended)",
        help_text="For example, the day an adoption order was made, or a child arrangements order ended",
    )

    def __init__(
        self, *args: Any, people: list[tuple[int, str]], children: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "person", people)
        _choices(self, "child", children)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("person") is not None and data.get("person") == data.get("child"):
            self.add_error("person", "A child cannot hold parental responsibility for themselves")
        return data


class CareOrderForm(PeriodDates, VersionedForm, SourceFields):
    """A care order: the local authority that shares parental responsibility
    (Children Act 1989 s33(3)), and when the order was made and ended, each
    date with how well it is known (``PeriodDates``)."""

    end_before_start = "The care order must end after the day it was made"

    child = forms.TypedChoiceField(label="For which child", choices=[], coerce=int)
    local_authority = forms.CharField(
        label="Which local authority does the care order name?",
        help_text="The designated local authority, for example Testham City Council",
        max_length=limits.LOCAL_AUTHORITY_MAX,
        error_messages={"required": "Enter the local authority named in the care order"},
    )
    start = GovukDateField(label="Date the care order was made", help_text="An interim care order counts too")
    end = GovukDateField(
        label="Date it ended (leave empty if it is still in force)",
        help_text="For example, the day it was discharged, or an adoption order was made",
    )

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "child", children)


class OtherNameForm(OneAnswerEach):
    kind = forms.ChoiceField(
        label="What kind of name is it?",
        choices=m.NAME_KIND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether this is a previous name or an alias"},
    )
    given_name = forms.CharField(label="Given name", required=False, max_length=limits.NAME_MAX)
    family_name = forms.CharField(label="Family name", required=False, max_length=limits.NAME_MAX)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("given_name") or "").strip() and not (data.get("family_name") or "").strip():
            self.add_error("given_name", "Enter the other name")
        return data
