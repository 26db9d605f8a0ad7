"""Pages for supervisors and a family's gaps: the supervision page (the team's
families with flagged gaps), the area worklist, a family's supervision page
(decisions, actions, agreeing a gap does not apply) and a family's gap
history. Thin: find the record through the access functions, hand input to a
service, render. The contact pages are in :mod:`kinmap.gaps.views`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kinmap.accounts.models import Role, User
from kinmap.records import access as raccess
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.records.views import audit_list, worklist_filter
from kinmap.web.forms import apply_errors, refuse_stale
from kinmap.web.pagination import page_of

from . import access, action_lists, selectors, services, supervision_reads
from . import forms as gf
from . import models as gm
from .views import _not_allowed, _summary, _user

AREA_PAGE_SIZE = 20  # teams on a page of the area worklist


# -- the family's gaps -----------------------------------------------------------


def family_gap_history(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = raccess.network_for_user(user, network_id)  # records the read
    history = selectors.family_history(network)
    return render(
        request,
        "gaps/history.html",
        {"network": network, "history": history, "open_contact": selectors.open_contact(network, user)},
    )


# -- supervision -----------------------------------------------------------------


def supervisor_dashboard(request: HttpRequest) -> HttpResponse:
    """The supervision page: a page of the team's families with flagged gaps,
    and the most pressing few of the other lists."""
    user = _user(request)
    if user.role != Role.SUPERVISOR:
        return _not_allowed(request)
    page = page_of(
        request,
        supervision_reads.FlaggedPages(user),
        count=selectors.team_count(user, "flagged_families"),
    )
    board = supervision_reads.supervisor_dashboard(user, page.items)
    audit_list(user, "supervisor-dashboard", selectors.WorklistFilter(), page)
    return render(request, "gaps/dashboard.html", {"board": board, "pagination": page})


def area_worklist(request: HttpRequest) -> HttpResponse:
    """The area: every team of the supervisor's agency, a page at a time, with
    its families and their open gaps counted (no family is named: a team's
    families are its own to see). The same GET filter as the worklist."""
    user = _user(request)
    if user.role != Role.SUPERVISOR:
        return _not_allowed(request)
    form, filters = worklist_filter(request)
    page = page_of(request, selectors.area_teams(user), per_page=AREA_PAGE_SIZE)
    rows = selectors.area_rows(page.items, filters)
    audit_list(user, "area-worklist", filters, page)
    return render(
        request,
        "gaps/area.html",
        {"rows": rows, "form": form, "filters": filters, "pagination": page, "my_team": user.team_id},
    )


@require_http_methods(["GET", "POST"])
def supervision_family(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    if user.role != Role.SUPERVISOR:
        return _not_allowed(request)
    network = raccess.network_for_user(user, network_id)  # records the read
    gaps = selectors.family_gaps(network)
    choices = [(v.gap.pk, f"{v.gap.detail}") for v in gaps]
    initial = {"gap": request.GET.get("gap")} if request.GET.get("gap") else {}
    form = gf.SupervisorDecisionForm(request.POST or None, gaps=choices, initial=initial)
    rows = gf.action_forms(request.POST or None, action_lists.owner_choices(network))
    if request.method == "POST" and all([form.is_valid(), *(r.is_valid() for r in rows)]):
        d = form.cleaned_data
        gap = access.gap_for_user(user, network, d["gap"]) if d.get("gap") else None
        owners = {
            u.pk: u
            for u in User.objects.filter(pk__in=[r.cleaned_data["owner"] for r in rows if not r.is_empty])
        }
        items = [
            services.ActionData(
                r.cleaned_data["description"], owners.get(r.cleaned_data["owner"]), r.cleaned_data["due"]
            )
            for r in rows
            if not r.is_empty
        ]
        try:
            services.supervisor_decision_record(
                actor=user,
                network=network,
                decision=d["decision"],
                gap=gap,
                agency_request_considered=bool(d.get("agency_request_considered")),
                action_items=items,
            )
        except RecordError as err:
            _apply_row_errors(form, [r for r in rows if not r.is_empty], err)
        else:
            messages.success(
                request,
                "Decision recorded"
                + (f" with {len(items)} action{'s' if len(items) != 1 else ''}" if items else ""),
            )
            return redirect("gaps-supervision", network_id=network.pk)
    return _supervision_page(request, network, gaps, form, rows)


def _apply_row_errors(form: forms.Form, rows: list[gf.SupervisorActionForm], err: RecordError) -> None:
    """A refused decision's errors, on the action row at fault (``action<n>-``
    counts the rows given, not the empty ones) or on the decision form."""
    rest = []
    for p in err.problems:
        head, _, name = p.field.partition("-")
        n = int(head.removeprefix("action")) if head.startswith("action") and name else 0
        if 0 < n <= len(rows) and name in rows[n - 1].fields:
            rows[n - 1].add_error(name, p.message)
        else:
            rest.append(p)
    if rest:
        apply_errors(form, RecordError(rest))


def _supervision_page(
    request: HttpRequest,
    network: Any,
    gaps: list[Any],
    form: gf.SupervisorDecisionForm,
    rows: list[gf.SupervisorActionForm] | None = None,
    bound_na: gf.NotApplicableAgreeForm | None = None,
    bound_na_gap: int | None = None,
) -> HttpResponse:
    history = selectors.family_history(network)
    if rows is None:
        rows = gf.action_forms(None, action_lists.owner_choices(network))
    na_forms = {
        v.gap.pk: (
            bound_na
            if bound_na is not None and bound_na_gap == v.gap.pk
            else gf.NotApplicableAgreeForm(prefix=f"na{v.gap.pk}", initial={"version": v.gap.version})
        )
        for v in gaps
        if v.gap.na_status == gm.NotApplicable.PENDING
    }
    return render(
        request,
        "gaps/supervision.html",
        {
            "network": network,
            "form": form,
            "gaps": gaps,
            "flagged": [v for v in gaps if v.flags],
            "pending_na": [(v, na_forms[v.gap.pk]) for v in gaps if v.gap.pk in na_forms],
            "decisions": history.decisions,
            "action_rows": rows,
            "error_list": (_summary(bound_na) if bound_na is not None else [])
            + [e for r in rows if r.is_bound for e in _summary(r)],
        },
    )


@require_POST
def gap_not_applicable(request: HttpRequest, network_id: int, gap_id: int) -> HttpResponse:
    user = _user(request)
    if user.role != Role.SUPERVISOR:
        return _not_allowed(request)
    network = raccess.network_for_user(user, network_id, read=False)
    gap = access.gap_for_user(user, network, gap_id)
    form = gf.NotApplicableAgreeForm(request.POST, prefix=f"na{gap.pk}")
    if form.is_valid():
        try:
            services.gap_not_applicable_agree(
                actor=user,
                gap=gap,
                agree=form.cleaned_data["agree"] == "yes",
                comment=form.cleaned_data.get("comment") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            refuse_stale(form, err, {"version": gm.Gap.objects.get(pk=gap.pk).version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Decision recorded")
            return redirect("gaps-supervision", network_id=network.pk)
    gaps = selectors.family_gaps(network)
    decision_form = gf.SupervisorDecisionForm(gaps=[(v.gap.pk, v.gap.detail) for v in gaps])
    return _supervision_page(request, network, gaps, decision_form, bound_na=form, bound_na_gap=gap.pk)
