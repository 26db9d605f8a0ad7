"""Pages for one kind of user only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import User


def role_required(
    *roles: str, team: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse (403, "You cannot do this") users whose role is not one of
    ``roles``, or who have no team when ``team`` is needed."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or user.role not in roles or (team and not user.team_id):
                return render(request, "records/not_allowed.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
