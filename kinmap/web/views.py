"""Sign in, sign out, and the health check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST


class SignInForm(AuthenticationForm):
    """Sign-in with a per-user-name limit on failures."""

    error_messages = {
        "invalid_login": "Enter a correct user name and password",
        "inactive": "This account is not active. Ask your partnership administrator",
        "throttled": "Too many failed attempts to sign in. Wait 15 minutes and try again",
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip().lower()
        key = f"kinmap:login-failures:{username}"
        if username and (cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                cache.set(key, (cache.get(key) or 0) + 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
            raise


@method_decorator(login_not_required, name="dispatch")
class SignIn(LoginView):
    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
