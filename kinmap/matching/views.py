"""The search page."""

from __future__ import annotations

import secrets
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kinmap.accounts.decorators import role_required
from kinmap.accounts.models import Role, User

from .forms import SearchForm
from .search import people_search

SEARCHERS = (Role.PRACTITIONER, Role.SUPERVISOR, Role.INFORMATION_OFFICER, Role.AUDITOR)


@role_required(*SEARCHERS, team=False)
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    """Find a person by name, date of birth, NHS number, postcode or phone. A GET
    form, so a search can be bookmarked and works without JavaScript."""
    user = cast(User, request.user)
    form = SearchForm(request.GET or None)
    result = None
    asks: list[tuple[str, list[str]]] = []
    if request.GET and form.is_valid():
        result = people_search(actor=user, query=form.record(), searched=form.searched())
        asks = match_tokens_keep(request, result.unseen.people)
    return render(request, "matching/search.html", {"form": form, "result": result, "asks": asks})


#: The session key of the last search's matches in networks the user may not
#: see: ``{token: person id}`` (read by ``kinmap.sharing.views.request_from_search``).
SEARCH_MATCHES = "kinmap.search_matches"


def match_tokens_keep(
    request: HttpRequest, people: list[tuple[int, list[str]]]
) -> list[tuple[str, list[str]]]:
    """Give each person found only in networks the user may not see an opaque
    token (random, 12 URL-safe characters), kept with their id in the user's
    session (replacing the previous search's), so that the page can offer an
    information request about them without carrying who they are. Returns
    ``[(token, agencies holding them)]`` in the order found."""
    tokens = {secrets.token_urlsafe(9): pid for pid, _ in people}
    request.session[SEARCH_MATCHES] = tokens
    return [(t, agencies) for t, (_, agencies) in zip(tokens, people, strict=True)]


def match_token_person(request: HttpRequest, token: str) -> int | None:
    """The person id a token of the user's last search stands for, or None."""
    found = request.session.get(SEARCH_MATCHES, {}).get(token)
    return found if isinstance(found, int) else None
