from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import AuditContext, new_request_id, reset_context, set_context


class RequestIdMiddleware:
    """Gives each request an id, sent back in X-Request-Id and written on every
    audit event the request causes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = new_request_id()
        channel = "api" if request.path.startswith("/api/") else "web"
        token = set_context(AuditContext(request_id=rid, channel=channel))
        try:
            response = self.get_response(request)
        finally:
            reset_context(token)
        response["X-Request-Id"] = rid
        return response
