"""Forms for the partnership administrator's pages."""

from __future__ import annotations

from typing import Any

from django import forms

from kinmap.web.forms import ObjectIdField, OneAnswerEach, VersionField

from .models import Agency, Role, Team, User


class UserCreateForm(OneAnswerEach):
    username = forms.CharField(
        label="User name", max_length=150, error_messages={"required": "Enter a user name"}
    )
    first_name = forms.CharField(label="Given name", max_length=150, required=False)
    last_name = forms.CharField(label="Family name", max_length=150, required=False)
    email = forms.EmailField(label="Email", required=False)
    job_title = forms.CharField(label="Job title", max_length=100, required=False)
    team = forms.TypedChoiceField(
        label="Team", coerce=int, choices=[], error_messages={"required": "Choose the team they work in"}
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        help_text="At least 12 characters, not a common password, not only numbers",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Password again",
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the password again"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a team"),
            *((t.pk, str(t)) for t in Team.objects.select_related("agency")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The passwords do not match")
        return data


class ConfirmForm(OneAnswerEach):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500)


class AgencyForm(OneAnswerEach):
    agency_name = forms.CharField(
        label="Agency name", max_length=200, error_messages={"required": "Enter the name of the agency"}
    )
    kind = forms.ChoiceField(label="Kind of agency", choices=Agency.Kind.choices)


class TeamForm(OneAnswerEach):
    agency = forms.TypedChoiceField(
        label="Agency", coerce=int, choices=[], error_messages={"required": "Choose the agency"}
    )
    name = forms.CharField(
        label="Team name", max_length=200, error_messages={"required": "Enter the name of the team"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an agency"), *((a.pk, a.name) for a in Agency.objects.all())]


class NetworkRefForm(OneAnswerEach):
    network = ObjectIdField(
        label="Family network reference",
        not_found="There is no family network with this reference",
        error_messages={"required": "Enter the family network reference", "invalid": "Enter a number"},
    )


class AllocateForm(OneAnswerEach):
    team = forms.TypedChoiceField(
        label="Team to allocate",
        coerce=int,
        choices=[],
        error_messages={"required": "Choose the team to allocate"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a team"),
            *((t.pk, str(t)) for t in Team.objects.select_related("agency")),
        ]


class SafeguardingLeadForm(OneAnswerEach):
    """Choose an agency's designated safeguarding lead among its active members."""

    designated_safeguarding_lead = forms.TypedChoiceField(
        label="Designated safeguarding lead",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
        help_text="Told when someone in a team with no supervisor uses emergency access",
        error_messages={"invalid_choice": "Choose someone from the list, or no designated safeguarding lead"},
    )
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500)
    # the user id of the lead when the page loaded (0 for none): see the service
    loaded = VersionField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["designated_safeguarding_lead"]
        assert isinstance(field, forms.ChoiceField)
        members = User.objects.filter(team__agency=agency, is_active=True).select_related("team")
        field.choices = [
            ("", "No designated safeguarding lead"),
            *((u.pk, f"{u.display_name} ({u.username}), {u.team.name if u.team else ''}") for u in members),
        ]
