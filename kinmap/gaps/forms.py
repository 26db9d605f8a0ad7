"""Forms for contacts, gaps, supervision and rule settings. They parse and
check the shape of input; the rules live in the core and the services."""

from __future__ import annotations

from typing import Any

from django import forms

from kinmap.core import limits
from kinmap.core.rules import Rule
from kinmap.core.rules.base import PARAM_MAX
from kinmap.core.vocab import PR_BASIS_LABELS, Source
from kinmap.records import models as rm
from kinmap.records.services import Source_
from kinmap.web.forms import GovukDateField, OneAnswerEach, VersionedForm

from . import models as gm
from .engine import RuleWords
from .models import GapState, Outcome
from .setting_words import field_text

# What can happen to a gap at a contact, short of recording the answer.
OUTCOME_CHOICES = [
    (GapState.ASKED_UNKNOWN.value, "Asked: they did not know"),
    (GapState.ASKED_DECLINED.value, "Asked: they did not want to say"),
    (GapState.TEMP_UNKNOWN.value, "Not known yet: someone will find out"),
    (GapState.MASKED.value, "Known, but it must be kept protected (masked)"),
    (GapState.NOT_APPLICABLE.value, "It does not apply"),
    (Outcome.NOT_ASKED.value, "Not asked this time"),
]

SOURCE_CHOICES = list(rm.SOURCE_CHOICES)


class ContactStartForm(OneAnswerEach):
    type = forms.ChoiceField(
        label="Type of contact",
        error_messages={"required": "Choose the type of contact"},
        choices=gm.ContactType.choices,
        widget=forms.RadioSelect,
    )
    date = GovukDateField(label="Date of the contact", required=True, help_text="For example, 27 3 2026")
    present = forms.TypedMultipleChoiceField(
        label="Who was there?", choices=[], coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    seen_directly = forms.TypedMultipleChoiceField(
        label="Who did you see or speak to directly?",
        choices=[],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their record will show they were seen or spoken to on this date",
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("present", "seen_directly"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = people


class GapOutcomeForm(VersionedForm):
    """What happened when the gap was raised (or why it was not)."""

    outcome = forms.ChoiceField(
        label="What happened?",
        error_messages={"required": "Choose what happened when you asked, or that it was not asked"},
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
    )
    declined_by = forms.TypedChoiceField(
        label="Who did not want to say?", choices=[], coerce=int, required=False
    )
    declined_reason = forms.CharField(
        label="The reason they gave, in their words", required=False, widget=forms.Textarea
    )
    declined_view = forms.CharField(
        label="Your view of why they did not want to say", required=False, widget=forms.Textarea
    )
    from_whom = forms.CharField(
        label="Who will find out, or who will be asked?", required=False, max_length=200
    )
    note = forms.CharField(label="Anything to add (optional)", required=False, widget=forms.Textarea)
    na_justification = forms.CharField(label="Why it does not apply", required=False, widget=forms.Textarea)
    not_asked_reason = forms.CharField(
        label="Why it was not asked this time", required=False, widget=forms.Textarea
    )
    occurred_on = GovukDateField(
        label="Date asked",
        help_text="Leave blank for the date of the contact. For example, 27 3 2026",
    )

    # service field -> form field
    FIELD_MAP = {
        "occurred_on": "occurred_on",
        "state": "outcome",
        "outcome": "outcome",
        "declined_by": "declined_by",
        "practitioner_view": "declined_view",
        "from_whom": "from_whom",
        "not_asked_reason": "not_asked_reason",
    }

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["declined_by"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose who"), *people]

    def reason_field(self) -> str:
        state = self.cleaned_data.get("outcome") if hasattr(self, "cleaned_data") else ""
        return "na_justification" if state == GapState.NOT_APPLICABLE else "declined_reason"


class SourceForm(OneAnswerEach):
    """Where an answer came from (kept as the fact's provenance)."""

    source = forms.ChoiceField(
        label="Where did this come from?", choices=SOURCE_CHOICES, initial=Source.SAID_BY.value
    )
    source_detail = forms.CharField(
        label="Who said it, or which agency or document",
        required=False,
        max_length=limits.SOURCE_DETAIL_MAX,
        help_text="For example: 'the mother'",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([k for k in self.fields if k not in ("source", "source_detail")])

    def source_value(self) -> Source_:
        return Source_(self.cleaned_data.get("source") or "", self.cleaned_data.get("source_detail") or "")


class BirthDateAnswerForm(VersionedForm, SourceForm):
    birth_date = GovukDateField(label="Date of birth", required=True, help_text="For example, 27 3 1990")
    estimated = forms.BooleanField(label="This date is an estimate", required=False)


class ContactDetailsAnswerForm(VersionedForm, SourceForm):
    phone = forms.CharField(label="Telephone", required=False, max_length=limits.PHONE_MAX)
    email = forms.EmailField(label="Email", required=False, max_length=limits.EMAIL_MAX)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or "").strip() and not (data.get("email") or "").strip():
            self.add_error("phone", "Enter a telephone number or an email address")
        return data


class FactAnswerForm(SourceForm):
    value = forms.CharField(
        label="The answer",
        max_length=limits.FACT_VALUE_MAX,
        error_messages={"required": "Enter the answer"},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoneAnswerForm(SourceForm):
    """The answer is that there is nothing to record ("no current partner")."""


class PRAnswerForm(VersionedForm, SourceForm):
    basis = forms.ChoiceField(
        label="Basis of parental responsibility",
        error_messages={"required": "Choose the basis of parental responsibility"},
        choices=[(k.value, v) for k, v in PR_BASIS_LABELS.items()],
        widget=forms.RadioSelect,
    )


class SeenAnswerForm(OneAnswerEach):
    """Seen or spoken to directly at this contact."""


class NotAskedRestForm(OneAnswerEach):
    reason = forms.CharField(
        label="Why were the rest not asked this time?",
        error_messages={"required": "Say why they were not asked this time"},
        widget=forms.Textarea,
        help_text="For example: 'visit cut short: baby unwell'",
    )


class WorklistFilterForm(OneAnswerEach):
    rule = forms.ChoiceField(label="Requirement", required=False, choices=[])
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=[("", "Any severity"), *gm.Severity.choices]
    )
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Any state"), *[(k, v) for k, v in GapState.choices if k != GapState.RESOLVED]],
    )

    def __init__(self, *args: Any, rules: list[Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any requirement"), *[(r.id, f"{r.number}. {r.title}") for r in rules]]


class SupervisorDecisionForm(OneAnswerEach):
    gap = forms.TypedChoiceField(label="About", choices=[], coerce=int, required=False, empty_value=None)
    decision = forms.CharField(
        label="Decision", error_messages={"required": "Enter the decision"}, widget=forms.Textarea
    )
    agency_request_considered = forms.BooleanField(
        label="A request to another agency for this detail was made or considered",
        required=False,
    )

    def __init__(self, *args: Any, gaps: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gap"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "The family as a whole"), *gaps]


ACTION_ROWS = 3  # action rows on the decision form (add more with another decision)


class SupervisorActionForm(OneAnswerEach):
    """One action agreed with a decision: what, who, by when. A row left empty is
    no action; a row partly filled is an error."""

    description = forms.CharField(label="What will be done", required=False, widget=forms.Textarea)
    owner = forms.TypedChoiceField(label="Who will do it", choices=[], coerce=int, required=False)
    due = GovukDateField(label="Date it is due by", help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose who"), *owners]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [bool(data.get("description", "").strip()), bool(data.get("owner")), bool(data.get("due"))]
        if any(given) and not all(given):
            for name, ok, message in zip(
                ("description", "owner", "due"),
                given,
                ("Say what will be done", "Choose who will do it", "Enter the date it is due by"),
                strict=True,
            ):
                if not ok and name not in self.errors:
                    self.add_error(name, message)
        return data

    @property
    def is_empty(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not (d.get("description", "").strip() or d.get("owner") or d.get("due"))


def action_forms(data: Any, owners: list[tuple[int, str]]) -> list[SupervisorActionForm]:
    """The decision form's action rows (prefixes ``action1`` ...)."""
    return [SupervisorActionForm(data, prefix=f"action{i}", owners=owners) for i in range(1, ACTION_ROWS + 1)]


class ActionCompleteForm(VersionedForm):
    note = forms.CharField(label="Anything to add (optional)", required=False, widget=forms.Textarea)


class NotApplicableAgreeForm(VersionedForm):
    agree = forms.ChoiceField(
        label="Do you agree it does not apply?",
        choices=[("yes", "Yes, I agree"), ("no", "No, keep asking")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you agree it does not apply"},
    )
    comment = forms.CharField(label="Comment", required=False, widget=forms.Textarea)


class RuleSettingForm(VersionedForm):
    """A rule's settings, each with a label and a hint in words
    (``setting_words.field_text``); for a requirement (``words`` given) also its
    severity, why we ask and what you could say, as the partnership has them."""

    enabled = forms.BooleanField(label="This requirement is checked", required=False)
    reason = forms.CharField(
        label="Why are you making this change?",
        error_messages={"required": "Say why you are making this change"},
        widget=forms.Textarea,
    )

    def __init__(
        self,
        *args: Any,
        defaults: dict[str, Any],
        kinmap_defaults: dict[str, Any] | None = None,
        words: RuleWords | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.param_names = list(defaults)
        for name, value in defaults.items():
            label, hint = field_text(name, (kinmap_defaults or defaults).get(name, value))
            field: forms.Field
            if isinstance(value, bool):
                field = forms.BooleanField(label=label, required=False, help_text=hint)
            else:
                number = forms.IntegerField if isinstance(value, int) else forms.FloatField
                field = number(
                    label=label,
                    help_text=hint,
                    min_value=0,
                    max_value=PARAM_MAX,
                    error_messages=_number_errors(label),
                )
            self.fields[f"param_{name}"] = field
        if words is not None:
            self.fields["severity"] = forms.ChoiceField(
                label="Severity",
                choices=gm.Severity.choices,
                widget=forms.RadioSelect,
                required=False,
                help_text="How a gap this requirement finds is usually shown; a gap about a baby may "
                "still be raised to critical",
            )
            self.fields["why_we_ask"] = forms.CharField(
                label="Why we ask",
                widget=forms.Textarea,
                required=False,
                help_text="Words a practitioner can say to a parent. Empty: kinmap\u2019s words",
            )
            self.fields["suggested_wording"] = forms.CharField(
                label="You could say",
                widget=forms.Textarea,
                required=False,
                help_text="[name] and [the missing detail] are filled in at the contact. "
                "Empty: kinmap\u2019s words",
            )
            self.initial.update(
                severity=words.severity,
                why_we_ask=words.why_we_ask,
                suggested_wording=words.suggested_wording,
            )
        self.order_fields(["enabled", *[f"param_{n}" for n in self.param_names]])

    def params(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(f"param_{name}") for name in self.param_names}

    def words(self) -> dict[str, str | None]:
        """The severity and words sent: None for one not sent (left as it is),
        an empty string for one emptied (back to kinmap's)."""
        names = ("severity", "why_we_ask", "suggested_wording")
        return {
            k: (self.cleaned_data.get(k) or "") if k in self.fields and k in self.data else None
            for k in names
        }


class RuleResetForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you going back to kinmap\u2019s settings?",
        error_messages={"required": "Say why you are going back to kinmap\u2019s settings"},
        widget=forms.Textarea,
    )


def _number_errors(label: str) -> dict[str, str]:
    """A number setting's errors, naming it by its label (``ICON due by``), never
    by its name; the bounds are the core's (0 to
    :data:`kinmap.core.rules.base.PARAM_MAX`), checked here first so that the
    error is worded for the form."""
    return {
        "required": f"Enter {_lower_first(label)}",
        "invalid": f"{label} must be a number",
        "min_value": f"{label} must be 0 or more",
        "max_value": f"{label} must be at most {PARAM_MAX}",
    }


def _lower_first(label: str) -> str:
    """``label`` to follow a word in a sentence: its first letter lower-cased,
    unless the first word is an abbreviation (``ICON due by`` stays)."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return label
    return label[:1].lower() + label[1:]
