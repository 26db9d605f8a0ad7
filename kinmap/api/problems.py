"""Every error the API gives is an RFC 9457 problem document
(``application/problem+json``, :class:`kinmap.api.schemas.Problem`).

The API's own handlers (``kinmap.api.views``) answer 401, 404 and 422 with a
title and detail of their own. :class:`ProblemDocumentsMiddleware` turns every
other error answer under ``/api/`` (an address the API does not have, a method
an address does not take, a refused CSRF check, a server error) into a problem
document with the same status, so that no HTML page or traceback reaches an
API client.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

from .schemas import PROBLEM_MEDIA_TYPE, Problem

API_PREFIX = "/api/"
NOT_SIGNED_IN = ("Not signed in", "Sign in to kinmap to use the API")

# The detail of an error answer made outside the API's own handlers, by status.
_DETAILS = {
    403: "The request was refused",
    404: "There is nothing at this address in the kinmap API",
    405: "{method} is not allowed here: use {allow}",
    500: "The server could not answer this request; the error has been logged",
}


def problem_response(status: int, detail: str, title: str | None = None) -> HttpResponse:
    """A problem document answer: ``status`` is the HTTP status (4xx or 5xx),
    ``title`` a short summary (by default the RFC 9110 status phrase in
    sentence case), ``detail`` what was wrong with this request, for a person."""
    body = Problem(title=title or HTTPStatus(status).phrase.capitalize(), status=status, detail=detail)
    return HttpResponse(body.model_dump_json(), status=status, content_type=PROBLEM_MEDIA_TYPE)


def not_signed_in() -> HttpResponse:
    """The 401 answer to a request without a signed-in session."""
    title, detail = NOT_SIGNED_IN
    return problem_response(401, detail, title)


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The ``response`` entries documenting that an operation answers these
    statuses with a problem document, e.g. ``{200: FamilyOut, **problems(401, 404)}``."""
    return dict.fromkeys(statuses, Problem)


def sign_in_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like Django's ``login_required`` for an API view: a request without a
    signed-in session gets the 401 problem document, not a redirect to the
    sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return not_signed_in()
        return view(request, *args, **kwargs)

    return wrapped


def _is_problem(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == PROBLEM_MEDIA_TYPE


class ProblemDocumentsMiddleware:
    """Replaces an error answer under ``/api/`` that is not a problem document
    by one with the same status (keeping the ``Allow`` header of a 405)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400 or _is_problem(response):
            return response
        status = response.status_code
        allow = response.get("Allow", "")
        detail = _DETAILS.get(status, HTTPStatus(status).phrase).format(
            method=request.method, allow=allow or "another method"
        )
        problem = problem_response(status, detail)
        if allow:
            problem["Allow"] = allow
        return problem
