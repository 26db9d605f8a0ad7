"""A form is acted on once, however many times it is sent.

Every form that changes the record carries a one-time token
(``{% submission_token %}``, :func:`new_token`). :class:`OnceOnlySubmissionMiddleware`
claims the token (a unique row, :class:`kinmap.web.models.FormSubmission`) in
its own short transaction before the view runs:

- the first sending claims it, the view runs, and where it leads (its
  redirect) is kept; a sending that does not lead on (the form shown again
  with its errors, a refusal) gives the token back, so the corrected form can
  be sent;
- a second sending of the same form (a double click, going back and sending
  again, two tabs) cannot claim it: it waits for the first to finish (up to
  :data:`WAIT_SECONDS`) and is sent where the first went, told that it was
  saved already. Nothing is done twice. Two sendings at the same moment are
  ordered by the database's unique index, on PostgreSQL and on SQLite.

The token is a convenience against accidental repeats, not a control: a
request without one (the API, a script) is handled as usual, and the services'
own checks (stale-edit versions, NHS numbers held once) still apply.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from .models import FormSubmission

FIELD = "submission"
TOKEN = re.compile(r"[0-9a-f]{32}")
WAIT_SECONDS = 10.0
KEEP = timedelta(days=2)
ALREADY_SAVED = (
    "This was saved already: the form was sent twice (perhaps a double click, or the back button). "
    "Nothing was saved a second time."
)


def new_token() -> str:
    """A fresh one-time token for a form: 32 lowercase hex digits (128 random bits)."""
    return secrets.token_hex(16)


def _claim(token: str, request: HttpRequest) -> bool:
    """True if this sending claimed ``token`` (its own transaction, committed at once)."""
    user = request.user if request.user.is_authenticated else None
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user, path=request.path[:500], at=timezone.now())
    except IntegrityError:
        return False
    return True


class OnceOnlySubmissionMiddleware:
    """Acts on a form's token as the module says. Place it after the session,
    authentication and messages middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path.startswith("/api/"):
            return self.get_response(request)
        token = request.POST.get(FIELD, "")
        if not TOKEN.fullmatch(token):
            return self.get_response(request)
        deadline = time.monotonic() + WAIT_SECONDS
        while not _claim(token, request):
            prior = FormSubmission.objects.filter(token=token).first()
            if prior is not None and prior.location:
                if prior.user_id != getattr(request.user, "pk", None):
                    return _not_yours(request)
                messages.info(request, ALREADY_SAVED)
                return HttpResponseRedirect(prior.location)
            if time.monotonic() > deadline:
                return _still_saving(request)
            time.sleep(0.1)
        try:
            response = self.get_response(request)
        except BaseException:
            FormSubmission.objects.filter(token=token).delete()
            raise
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            FormSubmission.objects.filter(token=token).update(location=response["Location"][:500])
        else:
            FormSubmission.objects.filter(token=token).delete()
        return response


def _still_saving(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/submission_pending.html",
        {"title": "This form is still being saved"},
        status=409,
    )


def _not_yours(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/submission_pending.html",
        {"title": "This form was sent by someone else", "other_user": True},
        status=409,
    )


def form_submissions_expire(*, now: object = None) -> int:
    """Remove the tokens of forms sent more than :data:`KEEP` ago (run by
    ``kinmap worker``). Returns how many were removed."""
    cutoff = (now or timezone.now()) - KEEP  # type: ignore[operator]
    deleted, _ = FormSubmission.objects.filter(at__lt=cutoff).delete()
    return deleted
