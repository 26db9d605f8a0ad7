"""The pages that close a family network (with a reason, after a confirmation
page) and reopen it. Thin: the rules are in ``kinmap.records.lifecycle``."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kinmap.accounts.models import User
from kinmap.web.forms import VersionedForm, apply_errors, refuse_stale

from . import access, lifecycle
from . import models as m
from .errors import RecordError, StaleEdit


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label="Why?", error_messages={"required": "Say why"}, widget=forms.Textarea, max_length=2000
    )

    def __init__(self, *args: object, label: str, required: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required


def _lifecycle_page(
    request: HttpRequest,
    network_id: int,
    *,
    closing: bool,
    service: Callable[..., m.FamilyNetwork],
    done: str,
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    network = access.network_for_user(user, network_id)  # records the read
    if closing:
        form = ReasonForm(
            request.POST or None,
            label="Why is this family network being closed?",
            required="Say why the family network is being closed",
            initial={"version": network.version},
        )
    else:
        form = ReasonForm(
            request.POST or None,
            label="Why is this family network being reopened?",
            required="Say why the family network is being reopened",
            initial={"version": network.version},
        )
    if request.method == "POST" and form.is_valid():
        try:
            service(
                actor=user,
                network=network,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            refuse_stale(form, err, {"version": m.FamilyNetwork.objects.get(pk=network.pk).version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"{done}: {network.name}")
            return redirect("family", network_id=network.pk)
    return render(
        request, "records/network_lifecycle.html", {"network": network, "form": form, "closing": closing}
    )


@require_http_methods(["GET", "POST"])
def network_close(request: HttpRequest, network_id: int) -> HttpResponse:
    """Confirm closing the family network, with the reason."""
    return _lifecycle_page(
        request, network_id, closing=True, service=lifecycle.network_close, done="Family network closed"
    )


@require_http_methods(["GET", "POST"])
def network_reopen(request: HttpRequest, network_id: int) -> HttpResponse:
    """Reopen a closed family network, with the reason."""
    return _lifecycle_page(
        request, network_id, closing=False, service=lifecycle.network_reopen, done="Family network reopened"
    )
