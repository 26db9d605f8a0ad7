"""The administrator's page of a recompute's progress."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kinmap.accounts.models import Role, User

from .models import FamilyRecompute
from .services import family_recompute_progress

REFRESH_SECONDS = 5  # the page reloads itself while the work goes on (no JavaScript)


def recompute_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """GET: how far the recompute ``run_id`` has gone, for a partnership
    administrator (403 for anyone else, 404 for a run that does not exist)."""
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.ADMINISTRATOR:
        return render(request, "records/not_allowed.html", status=403)
    run = FamilyRecompute.objects.select_related("rule_change", "requested_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such recompute")
    return render(
        request,
        "jobs/recompute.html",
        {"p": family_recompute_progress(run), "refresh": REFRESH_SECONDS if run.unfinished else None},
    )
