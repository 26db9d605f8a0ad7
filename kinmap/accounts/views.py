"""The partnership administrator's pages: users, teams, allocations and masked
details. An administrator never reads a family: allocations are managed by
family network reference number."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kinmap.records import models as rm
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.web.forms import apply_errors

from . import services
from .decorators import role_required
from .forms import (
    AgencyForm,
    AllocateForm,
    ConfirmForm,
    NetworkRefForm,
    SafeguardingLeadForm,
    TeamForm,
    UserCreateForm,
)
from .models import Agency, MaskedDetailEntitlement, Role, Team, User

admin_only = role_required(Role.ADMINISTRATOR, team=False)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@admin_only
def users(request: HttpRequest) -> HttpResponse:
    rows = User.objects.select_related("team__agency").order_by("-is_active", "username")
    return render(request, "accounts/users.html", {"rows": rows})


@admin_only
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.user_create(
                actor=_user(request),
                username=d["username"],
                first_name=d.get("first_name") or "",
                last_name=d.get("last_name") or "",
                email=d.get("email") or "",
                job_title=d.get("job_title") or "",
                team=Team.objects.filter(pk=d["team"]).first(),
                role=d["role"],
                password=d["password1"],
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"User {user.username} created")
            return redirect("manage-users")
    return render(request, "accounts/user_new.html", {"form": form})


@admin_only
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    target = User.objects.filter(pk=user_id).select_related("team__agency").first()
    if target is None:
        raise Http404("No user found")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_deactivate(actor=_user(request), user=target, reason=form.cleaned_data["reason"])
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"User {target.username} can no longer sign in")
            return redirect("manage-users")
    return render(request, "accounts/user_deactivate.html", {"form": form, "target": target})


@admin_only
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    actor = _user(request)
    team_form = TeamForm(request.POST if request.POST.get("form") == "team" else None)
    agency_form = AgencyForm(request.POST if request.POST.get("form") == "agency" else None)
    if request.method == "POST":
        try:
            if team_form.is_bound and team_form.is_valid():
                team = services.team_create(
                    actor=actor,
                    agency=Agency.objects.filter(pk=team_form.cleaned_data["agency"]).first(),
                    name=team_form.cleaned_data["name"],
                )
                messages.success(request, f"Team {team.name} created")
                return redirect("manage-teams")
            if agency_form.is_bound and agency_form.is_valid():
                agency = services.agency_create(
                    actor=actor,
                    name=agency_form.cleaned_data["agency_name"],
                    kind=agency_form.cleaned_data["kind"],
                )
                messages.success(request, f"Agency {agency.name} created")
                return redirect("manage-teams")
        except RecordError as err:
            apply_errors(team_form if team_form.is_bound else agency_form, err)
    agencies = (
        Agency.objects.prefetch_related("teams")
        .select_related("designated_safeguarding_lead")
        .order_by("name")
    )
    return render(
        request,
        "accounts/teams.html",
        {"agencies": agencies, "team_form": team_form, "agency_form": agency_form},
    )


@admin_only
@require_http_methods(["GET", "POST"])
def agency_safeguarding_lead(request: HttpRequest, agency_id: int) -> HttpResponse:
    """Name or change the agency's designated safeguarding lead."""
    agency = Agency.objects.filter(pk=agency_id).select_related("designated_safeguarding_lead").first()
    if agency is None:
        raise Http404("No agency found")
    lead = agency.designated_safeguarding_lead
    form = SafeguardingLeadForm(
        request.POST or None,
        agency=agency,
        initial={"designated_safeguarding_lead": lead.pk if lead else "", "loaded": lead.pk if lead else 0},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["designated_safeguarding_lead"]
        try:
            services.agency_safeguarding_lead_set(
                actor=_user(request),
                agency=agency,
                lead=User.objects.filter(pk=chosen).select_related("team").first() if chosen else None,
                expected=form.cleaned_data["loaded"],
                reason=form.cleaned_data["reason"],
            )
        except StaleEdit as err:
            # what was chosen is kept; saving again (having looked) replaces the lead saved now
            now = (
                Agency.objects.filter(pk=agency.pk)
                .values_list("designated_safeguarding_lead", flat=True)
                .first()
            )
            form.data = {**request.POST.dict(), "loaded": str(now or 0)}
            apply_errors(form, err)
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Designated safeguarding lead for {agency.name} saved")
            return redirect("manage-teams")
    return render(request, "accounts/agency_safeguarding_lead.html", {"agency": agency, "form": form})


@admin_only
def allocations(request: HttpRequest) -> HttpResponse:
    """Family networks by reference, with the teams allocated now. No names."""
    form = NetworkRefForm(request.GET if "network" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("manage-network-allocations", network_id=form.cleaned_data["network"])
    today = timezone.localdate()
    page = Paginator(rm.FamilyNetwork.objects.order_by("pk").only("pk", "created_at"), 50).get_page(
        request.GET.get("page")
    )
    ids = [n.pk for n in page.object_list]
    teams_by_network: dict[int, list[str]] = {}
    for a in (
        rm.Allocation.objects.filter(network_id__in=ids, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .select_related("team__agency")
        .order_by("team__agency__name", "team__name")
    ):
        teams_by_network.setdefault(a.network_id, []).append(str(a.team))
    rows = [{"network": n, "teams": teams_by_network.get(n.pk, [])} for n in page.object_list]
    return render(request, "accounts/allocations.html", {"form": form, "rows": rows, "page": page})


def _network_or_404(network_id: int) -> rm.FamilyNetwork:
    network = rm.FamilyNetwork.objects.filter(pk=network_id).only("pk", "created_at").first()
    if network is None:
        raise Http404("No family network found")
    return network


def _is_current(a: rm.Allocation, today: date) -> bool:
    return a.start <= today and (a.end is None or a.end > today)


@admin_only
@require_http_methods(["GET", "POST"])
def network_allocations(request: HttpRequest, network_id: int) -> HttpResponse:
    network = _network_or_404(network_id)
    form = AllocateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alloc = services.allocation_add(
                actor=_user(request),
                network=network,
                team=Team.objects.filter(pk=form.cleaned_data["team"]).first(),
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"{alloc.team} allocated to family network {network.pk}")
            return redirect("manage-network-allocations", network_id=network.pk)
    today = timezone.localdate()
    rows = [
        {"a": a, "current": _is_current(a, today)}
        for a in rm.Allocation.objects.filter(network=network)
        .select_related("team__agency")
        .order_by("start", "pk")
    ]
    return render(
        request, "accounts/network_allocations.html", {"network": network, "rows": rows, "form": form}
    )


@admin_only
@require_http_methods(["GET", "POST"])
def allocation_remove(request: HttpRequest, allocation_id: int) -> HttpResponse:
    """Ask for confirmation, then end the allocation."""
    alloc = rm.Allocation.objects.filter(pk=allocation_id).select_related("team__agency").first()
    if alloc is None:
        raise Http404("No allocation found")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_end(
                actor=_user(request), allocation=alloc, reason=form.cleaned_data["reason"]
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(
                request, f"{alloc.team} is no longer allocated to family network {alloc.network_id}"
            )
            return redirect("manage-network-allocations", network_id=alloc.network_id)
    return render(request, "accounts/allocation_remove.html", {"alloc": alloc, "form": form})


def _cells(keys: list[str]) -> set[tuple[int, str]]:
    """(agency id, role) pairs from table cells written ``<agency id>:<role>``."""
    cells: set[tuple[int, str]] = set()
    for key in keys:
        agency_id, _, role = key.partition(":")
        if agency_id.isdigit():
            cells.add((int(agency_id), role))
    return cells


@admin_only
@require_http_methods(["GET", "POST"])
def entitlements(request: HttpRequest) -> HttpResponse:
    agencies = list(Agency.objects.order_by("name"))
    error = ""
    ticked: set[str] | None = None
    if request.method == "POST":
        # the cells ticked when the page loaded, which must still be what is saved
        loaded = request.POST.get("loaded")
        try:
            services.entitlements_set(
                actor=_user(request),
                cells=_cells(request.POST.getlist("cell")),
                expected=_cells(loaded.split()) if loaded is not None else None,
            )
        except RecordError as err:
            error = err.messages[0]
            ticked = set(request.POST.getlist("cell"))  # what the administrator ticked is kept
        else:
            messages.success(request, "Masked-detail entitlements saved")
            return redirect("manage-entitlements")
    current = {f"{a}:{r}" for a, r in MaskedDetailEntitlement.objects.values_list("agency_id", "role")}
    shown = current if ticked is None else ticked
    rows = [
        {
            "agency": a,
            "cells": [(f"{a.pk}:{role}", label, f"{a.pk}:{role}" in shown) for role, label in Role.choices],
        }
        for a in agencies
    ]
    return render(
        request,
        "accounts/entitlements.html",
        {"rows": rows, "roles": Role.choices, "error": error, "loaded": " ".join(sorted(current))},
    )
