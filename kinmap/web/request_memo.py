"""What one reading request works out once and uses in several places.

A family page's parts are drawn by separate template tags, and some ask for the
same rows: the family's open gaps (the "What we still need to know" list and
the genogram's critical-gap markers) and the partnership's rule settings (the
gaps' words and the carers' section). :func:`memoised` keeps such a result for
the rest of the request, so the rows are read once.

Only GET and HEAD requests keep anything (a page that changes the record must
read what it has just written), and what is kept lives and dies with the one
request and its one user: nothing is shared between requests or users. Outside
a request (a command, a test calling a selector) nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("kinmap_request_memo", default=None)


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave earlier in this reading request for the
    same ``key`` (a tuple naming the selector and its arguments)."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return cast(T, store[key])


class RequestMemoMiddleware:
    """Gives each GET or HEAD request an empty memo, dropped when it ends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _store.set({} if request.method in ("GET", "HEAD") else None)
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
