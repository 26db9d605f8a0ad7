"""The administrator's page of a recompute's progress."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kinmap.accounts.models import Role, User

from .services import family_recompute_progress_read

REFRESH_SECONDS = 5  # the page reloads itself while the work goes on (no JavaScript)


def recompute_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """GET: how far the recompute ``run_id`` has gone, for a partnership
    administrator (403 for anyone else, 404 for a run that does not exist)."""
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.ADMINISTRATOR:
        return render(request, "records/not_allowed.html", status=403)
    p = family_recompute_progress_read(run_id=run_id)
    if p is None:
        raise Http404("No such recompute")
    return render(
        request, "jobs/recompute.html", {"p": p, "refresh": REFRESH_SECONDS if p.run.unfinished else None}
    )
