"""Answers to requests kinmap cannot take, made before or around its views:
a request Django refuses to read (400: a host name not served, too many
fields) and a page asked with a method it does not take (405). A page gets
kinmap's GOV.UK error page; an address under ``/api/`` a problem document
(:mod:`kinmap.api.problems`). None of them says why in internal terms (the
reason is logged by Django). A form whose CSRF check fails gets the page
``403_csrf.html``, which Django's own ``csrf_failure`` view renders when it
exists."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kinmap.api.problems import API_PREFIX, problem_response
from kinmap.web.middleware import security_headers


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400`` (Django's, for ``SuspiciousOperation`` and
    ``BadRequest``: a ``Host`` not in ``KINMAP_ALLOWED_HOSTS``, more than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields): 400, the page ``400.html``,
    or a problem document under ``/api/``. Rendered without the request's
    context: the request may be the very thing that cannot be read."""
    if request.path.startswith(API_PREFIX):
        response = problem_response(
            400, "The request could not be read: check its address, host name and fields"
        )
    else:
        response = render(None, "400.html", status=400)
    # a refused host name is refused before the middleware that adds these runs
    return security_headers(request, response)


class MethodNotAllowedPageMiddleware:
    """A page asked with a method it does not take (``GET`` of an address that
    only acts on a form, ``require_POST``) answers 405 with an empty body:
    this gives it kinmap's page (``405.html``), keeping the ``Allow`` header.
    Under ``/api/`` the problem documents' middleware answers instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith(API_PREFIX) or response.content:
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
