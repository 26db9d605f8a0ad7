"""The search page."""

from __future__ import annotations

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
    if request.GET and form.is_valid():
        result = people_search(actor=user, query=form.record(), searched=form.searched())
    return render(request, "matching/search.html", {"form": form, "result": result})
