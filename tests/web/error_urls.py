"""A URL configuration for the error page tests only: kinmap's own, plus
addresses that refuse and that fail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kinmap.urls import urlpatterns as kinmap_urls


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason: SECRET-DETAIL-403")


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal failure: SECRET-DETAIL-500")


urlpatterns = [
    path("test-only/refuses/", refuses),
    path("test-only/fails/", fails),
    *kinmap_urls,
]
