"""Sign in, sign out, and the health check."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from kinmap.accounts.services import sign_in_refusal_record
from kinmap.accounts.signin import client_address, locked_out_message
from kinmap.web.forms import OneAnswerEach

logger = logging.getLogger(__name__)


class SignInForm(OneAnswerEach, AuthenticationForm):
    """Sign in with a user name and password. Throttling is django-axes'
    (``kinmap.accounts.signin``): while a lock holds, the password is not checked."""

    error_messages = {
        "invalid_login": "Enter a correct user name and password",
        "inactive": "This account is not active. Ask your partnership administrator",
    }


class LockedOutSignInForm(SignInForm):
    """The sign-in form shown while a lock holds: it never checks the password,
    and its only error (besides a missing field) is the lockout message."""

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError(locked_out_message(), code="locked-out")


@method_decorator(login_not_required, name="dispatch")
class SignIn(LoginView):
    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        """Every refused sign-in goes to the audit trail: a wrong user name or
        password, or an attempt refused (or the failure that locked) because of
        too many failures."""
        username = str(form.data.get("username") or "")
        if username:
            sign_in_refusal_record(
                username=username,
                client=client_address(self.request),
                locked_out=bool(getattr(self.request, "axes_locked_out", False)),
            )
        return super().form_invalid(form)


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The page django-axes answers with while a lock holds
    (``AXES_LOCKOUT_CALLABLE``): the GOV.UK sign-in page again, the user name
    kept, the lockout message in its error summary; HTTP 429 Too Many Requests
    (RFC 6585)."""
    form = LockedOutSignInForm(request, data=request.POST or None)
    form.is_valid()
    return render(
        request, "web/sign_in.html", {"form": form, "next": request.POST.get("next", "")}, status=429
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """A host's health for a load balancer or a monitor (``GET /healthz``,
    no sign-in): 200 ``{"status": "ok"}`` when the database answers a query,
    else 503 ``{"status": "unavailable", "detail": ...}`` with ``Retry-After``
    (seconds), so that the host is taken out of service rather than showing
    pages that fail. JSON either way, never kept by a cache; no session is
    read and nothing is audited (the load balancer asks every few seconds)."""
    headers = {"Cache-Control": "no-store"}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("healthz: the database does not answer (%s)", type(exc).__name__)
        return JsonResponse(
            {"status": "unavailable", "detail": "The database does not answer."},
            status=503,
            headers={**headers, "Retry-After": "10"},
        )
    return JsonResponse({"status": "ok"}, headers=headers)
