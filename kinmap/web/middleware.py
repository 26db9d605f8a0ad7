from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A strict Content Security Policy, and no caching of family pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return security_headers(request, self.get_response(request))


def security_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` with kinmap's security headers where it has none of its
    own: the Content Security Policy, ``no-store`` (but for the static files
    under ``/assets/``) and the Permissions Policy. For
    :class:`SecurityHeadersMiddleware`, and for an answer made before the
    request reaches it (:func:`kinmap.web.errors.bad_request`)."""
    response.setdefault("Content-Security-Policy", CSP)
    if not request.path.startswith("/assets/"):
        response.setdefault("Cache-Control", "no-store")
    response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user (redirect to sign in). The API answers
    for itself, with a 401 problem document instead of a redirect."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, quiet about a missing ``STATIC_ROOT`` when it is not used.

    Without the collected files (tests, ``runserver``, the demo) WhiteNoise
    finds the files through Django's finders (``WHITENOISE_USE_FINDERS``), so a
    ``STATIC_ROOT`` that ``kinmap collectstatic`` has not made yet is expected
    and is skipped without WhiteNoise's "No directory at" warning. A server
    that serves the collected files (finders off, as ``kinmap serve`` runs)
    still warns, because there a missing directory is a real fault.
    """

    def add_files(self, root: str | Path, prefix: str | None = None) -> None:
        """Add the files under ``root`` (a directory path) at URL ``prefix``;
        skip a missing ``STATIC_ROOT`` while the finders serve the files."""
        if self.use_finders and root == self.static_root and not Path(root).is_dir():
            return
        super().add_files(root, prefix=prefix)
