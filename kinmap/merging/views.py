"""The review queue of likely duplicates, the pair page, merging, "different
people" and undoing a merge. Access: :mod:`kinmap.merging.access`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kinmap.accounts.decorators import role_required
from kinmap.accounts.models import Role, User
from kinmap.records.errors import RecordError
from kinmap.web.masking import can_see_masked

from . import access, presenters, services
from .forms import ReasonForm

PAGE_SIZE = 25
reviewers_only = role_required(Role.SUPERVISOR, Role.INFORMATION_OFFICER)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@reviewers_only
def queue(request: HttpRequest) -> HttpResponse:
    """Open pairs with someone the reviewer may review, most likely first."""
    user = _user(request)
    reviewable = access.reviewable_network_ids(user)
    page = Paginator(access.open_candidates(user, reviewable), PAGE_SIZE).get_page(request.GET.get("page"))
    cands = list(page.object_list)
    sides = access.sides_for(user, [p for c in cands for p in (c.person_a, c.person_b)], reviewable)
    rows = [(c, sides[c.person_a_id], sides[c.person_b_id]) for c in cands]
    return render(request, "merging/queue.html", {"page": page, "rows": rows})


def _pair_context(user: User, pair: access.PairAccess, **extra: Any) -> dict[str, Any]:
    c = pair.candidate
    hide = not can_see_masked(user) and bool(presenters.masked_people([c.person_a_id, c.person_b_id]))
    both = pair.a.visible and pair.b.visible
    details = presenters.person_details(user, [pair.a, pair.b])
    return {
        "pair": pair,
        "c": c,
        "a_details": details.get(c.person_a_id),
        "b_details": details.get(c.person_b_id),
        "rows": presenters.comparison_rows(c.comparisons, hide_masked=hide) if both else [],
        "percent": f"{c.probability * 100:.1f}",
        **extra,
    }


def _pair_page(
    request: HttpRequest, pair: access.PairAccess, status: int = 200, **extra: Any
) -> HttpResponse:
    ctx = _pair_context(_user(request), pair, **extra)
    ctx.setdefault("merge_form", ReasonForm(prefix="merge"))
    ctx.setdefault("different_form", ReasonForm(prefix="different"))
    return render(request, "merging/pair.html", ctx, status=status)


@reviewers_only
def pair(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _pair_page(request, access.candidate_for_user(_user(request), candidate_id))


def _decide(request: HttpRequest, candidate_id: int, kind: str) -> HttpResponse:
    """POST of a merge or a "different people": re-display with errors, then
    a confirmation page, then the decision."""
    user = _user(request)
    p = access.candidate_for_user(user, candidate_id)
    access.require_may_decide(p)
    form = ReasonForm(request.POST, prefix=kind)
    if not form.is_valid():
        return _pair_page(request, p, status=400, **{f"{kind}_form": form})
    if not form.cleaned_data["confirm"]:
        confirm = ReasonForm(initial={"reason": form.cleaned_data["reason"], "confirm": True}, prefix=kind)
        return render(request, "merging/confirm.html", _pair_context(user, p, kind=kind, form=confirm))
    try:
        if kind == "merge":
            merge = services.person_merge(
                actor=user,
                first=p.candidate.person_a,
                second=p.candidate.person_b,
                reason=form.cleaned_data["reason"],
                candidate=p.candidate,
            )
        else:
            services.candidate_mark_different(
                actor=user, candidate=p.candidate, reason=form.cleaned_data["reason"]
            )
    except RecordError as exc:
        form.add_error("reason", exc.messages[0])
        return _pair_page(request, p, status=400, **{f"{kind}_form": form})
    if kind == "merge":
        messages.success(request, "The records have been merged")
        return redirect("merge-detail", merge.pk)
    messages.success(request, "Recorded as different people: this pair will not be offered again")
    return redirect("merge-queue")


@reviewers_only
@require_http_methods(["POST"])
def pair_merge(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decide(request, candidate_id, "merge")


@reviewers_only
@require_http_methods(["POST"])
def pair_different(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decide(request, candidate_id, "different")


def _merge_page(
    request: HttpRequest, merge_id: int, form: ReasonForm | None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    merge = access.merge_for_user(user, merge_id)
    return render(
        request,
        "merging/merge.html",
        {
            "merge": merge,
            "form": form or ReasonForm(prefix="undo"),
            "moved": len(merge.moved),
            "removed": len(merge.removed),
        },
        status=status,
    )


@reviewers_only
def merge_detail(request: HttpRequest, merge_id: int) -> HttpResponse:
    return _merge_page(request, merge_id, None)


@reviewers_only
@require_http_methods(["POST"])
def merge_undo_view(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = _user(request)
    merge = access.merge_for_user(user, merge_id)
    form = ReasonForm(request.POST, prefix="undo")
    if not form.is_valid():
        return _merge_page(request, merge_id, form, status=400)
    if not form.cleaned_data["confirm"]:
        confirm = ReasonForm(initial={"reason": form.cleaned_data["reason"], "confirm": True}, prefix="undo")
        return render(request, "merging/undo_confirm.html", {"merge": merge, "form": confirm})
    try:
        services.merge_undo(actor=user, merge=merge, reason=form.cleaned_data["reason"])
    except RecordError as exc:
        form.add_error("reason", exc.messages[0])
        return _merge_page(request, merge_id, form, status=400)
    messages.success(request, "The merge has been undone: both records are as they were")
    return redirect("merge-detail", merge.pk)
