"""The pages that close a family network (with a reason, after a confirmation
page) and reopen it. Thin: the rules are in ``kinmap.records.lifecycle``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

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


def change_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a page for changing a family network (a form, or the first step
    of one; its URL names the network as ``network_id``): when the network is
    closed, a GET answers 409 with the closed notice and a link back, instead
    of a form whose saving would be refused.

    The view runs first, so its access check stands (a network the user may
    not see is a 404 as before, and nobody learns that it is closed) and the
    read is audited as for any page. A POST is left to the view: the service
    refuses the change (``lifecycle.NetworkClosed``) and the form is shown
    again with what was typed and the closed message, so nothing typed is lost
    when the family was closed while the form was open."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, network_id: int, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, network_id=network_id, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        closed = (
            m.FamilyNetwork.objects.filter(pk=network_id, closed_at__isnull=False)
            .select_related("closed_by")
            .first()
        )
        if closed is None:
            return response
        return render(request, "records/closed_change.html", {"network": closed}, status=409)

    return wrapped
