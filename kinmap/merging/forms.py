"""The reviewer's forms: a reason for every decision, and a confirmation step."""

from __future__ import annotations

from django import forms

from kinmap.web.forms import OneAnswerEach

from .services import REASON_MAX


class ReasonForm(OneAnswerEach):
    """A decision's reason (kept with it and in the audit trail). ``confirm``
    is set by the confirmation page: without it the view shows that page."""

    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        help_text="What shows these are (or are not) the same person. Kept in the audit trail.",
        error_messages={
            "required": "Enter the reason",
            "max_length": f"The reason must be {REASON_MAX} characters or fewer",
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
