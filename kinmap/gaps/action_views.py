"""The page that records an action agreed at supervision as done. Thin: find
the action through its access function, hand the input to the service."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kinmap.accounts.models import User
from kinmap.records import access as raccess
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.web.forms import apply_errors, refuse_stale

from . import access
from . import models as gm
from .actions import can_complete, supervisor_action_complete
from .forms import ActionCompleteForm


@require_http_methods(["GET", "POST"])
def action_complete(request: HttpRequest, network_id: int, action_id: int) -> HttpResponse:
    """GET: the action and a form to record it as done; POST: record it."""
    user = request.user
    assert isinstance(user, User)
    network = raccess.network_for_user(user, network_id, read=False)
    action = access.action_for_user(user, network, action_id)  # records the read
    form = ActionCompleteForm(request.POST or None, initial={"version": action.version})
    if request.method == "POST" and form.is_valid():
        try:
            supervisor_action_complete(
                actor=user,
                action=action,
                note=form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            refuse_stale(form, err, {"version": gm.SupervisorAction.objects.get(pk=action.pk).version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Recorded as done: {action.description}")
            return redirect(reverse("family", args=[network.pk]) + "#supervision-actions")
    return render(
        request,
        "gaps/action_complete.html",
        {"network": network, "action": action, "form": form, "allowed": can_complete(user, action)},
    )
