"""Pages of the family record: the worklist, the family and its people. Views
are thin: they find the record through the access functions, hand input to a
service, and render. The pages about relationships are in
:mod:`kinmap.records.relationship_views`; those about where people live and
who looks after the children in :mod:`kinmap.records.care_views`."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.chronology.asat import as_at_audit, as_at_from, read_only
from kinmap.gaps import engine as gap_engine
from kinmap.gaps.forms import WorklistFilterForm
from kinmap.gaps.selectors import WorklistFilter, team_worklist, worklist_networks, worklist_rows
from kinmap.matching.services import network_start_decided, person_add_decided
from kinmap.matching.steps import add_person_check
from kinmap.web.forms import apply_errors, refuse_stale
from kinmap.web.masking import can_see_masked
from kinmap.web.pagination import Pagination, page_of

from . import access, services
from . import models as m
from .errors import RecordError, StaleEdit
from .forms import (
    LIVES_ELSEWHERE,
    LIVES_WITH_CHILD,
    AddPersonForm,
    OtherNameForm,
    PersonForm,
    StartNetworkForm,
)
from .page_load import family_page_reads
from .presenters import family_page_context, person_page_context
from .selectors import elsewhere_load, family_record_load


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


_RETURN = re.compile(r"person-(\d+)")


def _back(request: HttpRequest, network: m.FamilyNetwork) -> str:
    """Where a form returns to: the person page it was opened from, or the family page."""
    match = _RETURN.fullmatch(request.GET.get("return", ""))
    if match:
        return reverse("person", args=[network.pk, int(match.group(1))])
    return reverse("family", args=[network.pk])


def worklist_filter(request: HttpRequest) -> tuple[WorklistFilterForm, WorklistFilter]:
    """The worklists' GET filter form (requirement, severity, state) and the
    filter it chose (none while it has errors)."""
    form = WorklistFilterForm(request.GET or None, rules=list(gap_engine.rules()))
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = WorklistFilter(
        rule=chosen.get("rule") or "", severity=chosen.get("severity") or "", state=chosen.get("state") or ""
    )
    return form, filters


def audit_list(user: User, what: str, filters: WorklistFilter, page: Pagination) -> None:
    """Record that a list was shown: which list, its filter, which page and how
    many rows in all (not every id: the rows are the filter's)."""
    if page.count:
        audit_record(
            actor=user,
            action="list",
            object_type=what,
            changes={
                "filter": [None, filters.as_audit()],
                "page": [None, page.number],
                "count": [None, page.count],
            },
        )


def my_families(request: HttpRequest) -> HttpResponse:
    """The team's families, the one with the most severe open gap first, a
    page at a time; a GET form filters by requirement, severity and state
    (works without JavaScript)."""
    user = _user(request)
    form, filters = worklist_filter(request)
    # without a filter the team's families are counted in one kept row and a
    # page is read through the summaries' index (kinmap.gaps.selectors.TeamWorklist)
    if filters.active:
        page = page_of(request, worklist_networks(user, filters))
    else:
        families = team_worklist(user)
        page = page_of(request, families, count=families.count)
    rows = worklist_rows(page.items, filters)
    audit_list(user, "my-families", filters, page)
    return render(
        request,
        "records/my_families.html",
        {"rows": rows, "form": form, "filters": filters, "pagination": page},
    )


@require_http_methods(["GET", "POST"])
def network_start(request: HttpRequest) -> HttpResponse:
    """Start a family network around a child: the child is first looked for on
    the record (the add-person check), then linked or added as new."""
    user = _user(request)
    if user.role not in access.FAMILY_ROLES or not user.team_id:
        return render(request, "records/not_allowed.html", status=403)
    form = StartNetworkForm(request.POST or None, initial={"birth_date_accuracy": "accurate"})
    if request.method == "POST" and form.is_valid():
        # One person is known once: the child may be on the record already
        # (kinmap.matching.steps, the step adding a person uses).
        decision = add_person_check(
            request, user=user, network=None, data=form.person_data(), title="starting the family network"
        )
        if decision.response is not None:
            return decision.response
        try:
            network = network_start_decided(
                actor=user,
                child=form.person_data(),
                link=decision.link,
                rejected=decision.rejected,
                reason=decision.reason,
                source=form.source_value(),
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Family network started: {network.name}")
            return redirect("family", network_id=network.pk)
    return render(request, "records/network_start.html", {"form": form})


def family(request: HttpRequest, network_id: int) -> HttpResponse:
    """The family page; with ``?as_at=YYYY-MM-DD`` the family as it had been
    recorded by the end of that day, read-only (see kinmap.chronology.asat)."""
    user = _user(request)
    network = access.network_for_user(user, network_id)
    as_at = as_at_from(request.GET)
    if as_at.moment is None:  # network_for_user recorded the read
        page = family_page_reads(network, user)
        context = family_page_context(page.record, user, page.elsewhere, on=None)
        context["still_need"], context["material_titles"] = page.gaps, page.material_titles
        context["decisions"] = page.decisions
    else:
        record = family_record_load(network, as_at=as_at.moment)
        context = family_page_context(record, user, elsewhere_load(record, user), on=as_at.day)
    if as_at.day is not None:
        as_at_audit(user, network, as_at)
    # as at a past day, or closed: the page shows the record without a way to change it
    context["editable"] = as_at.day is None and not network.is_closed
    if not context["editable"]:
        read_only(context)
    context["as_at"] = as_at
    return render(request, "records/family.html", context, status=400 if as_at.error else 200)


def _people_choices(record: Any) -> list[tuple[int, str]]:
    return [(pid, str(p)) for pid, p in sorted(record.people.items()) if pid in record.member_ids]


@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    people = _people_choices(record)
    default = record.index_child_ids[0] if record.index_child_ids else None
    form = AddPersonForm(request.POST or None, people=people, default=default)
    if request.method == "POST" and form.is_valid():
        rel, related_id, reverse = form.relationship_value()
        related = record.people.get(related_id) if related_id else None
        # One person is known once: look for them first (kinmap.matching.steps).
        lives = form.cleaned_data.get("lives")
        typed = form.address_data() if lives == LIVES_ELSEWHERE else None
        decision = add_person_check(
            request,
            user=user,
            network=network,
            data=form.person_data(),
            title="adding them",
            postcodes=(typed.postcode,) if typed else (),
        )
        if decision.response is not None:
            return decision.response
        try:
            person = person_add_decided(
                actor=user,
                network=network,
                data=form.person_data(),
                link=decision.link,
                rejected=decision.rejected,
                reason=decision.reason,
                source=form.source_value(),
                related_to=related,
                relationship=rel,
                reverse=reverse,
                home=_child_home(record, default) if lives == LIVES_WITH_CHILD else None,
                address=typed,
                other_names=form.other_names_value(),
            )
        except RecordError as err:
            fields = {
                "type": "relationship",
                "from": "relationship",
                "to": "relationship",
                "household": "lives",
            }
            apply_errors(form, err, fields)
        else:
            messages.success(request, f"{person} {'linked from the record' if decision.link else 'added'}")
            return redirect("family", network_id=network.pk)
    return render(request, "records/person_form.html", {"form": form, "network": network, "adding": True})


def _child_home(record: Any, child_id: int | None) -> m.Household | None:
    """Where the child lives now (their current household), or None when no
    address is recorded for them (then "lives with the child" is refused by
    ``residence_create``: "Choose an address or enter a new one")."""
    for r in record.residences:
        if r.person_id == child_id and r.end is None:
            household: m.Household | None = record.households.get(r.household_id)
            return household
    return None


def person(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    """Everything recorded about one person, and where each key fact came from."""
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    access.person_for_user(user, network, person_id)
    record = family_record_load(network)
    audit_record(actor=user, action="view", object_type="person", object_id=person_id, network_id=network.pk)
    context = person_page_context(record, person_id, user, elsewhere_load(record, user))
    return render(request, "records/person.html", context)


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    person = access.person_for_user(user, network, person_id)
    # A masked telephone number is neither shown to nor changed by someone not
    # entitled to see it.
    hide_phone = person.phone_masked and bool(person.phone) and not can_see_masked(user)

    def current(p: m.Person) -> dict[str, Any]:
        values = PersonForm.initial_for(p)
        if hide_phone:
            del values["phone"], values["phone_masked"]
        return values

    def make_form(data: Any) -> PersonForm:
        form = PersonForm(data, initial=current(person))
        if hide_phone:
            del form.fields["phone"], form.fields["phone_masked"]
        return form

    form = make_form(request.POST or None)
    saved_now = None
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        if hide_phone:
            data = dataclasses.replace(data, phone=person.phone, phone_masked=person.phone_masked)
        try:
            services.person_update(
                actor=user,
                network=network,
                person=person,
                data=data,
                expected_version=form.cleaned_data.get("version"),
                source=form.source_value(),
            )
        except StaleEdit as err:
            saved_now = refuse_stale(form, err, current(m.Person.objects.get(pk=person.pk)))
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"{person} updated")
            return redirect("person", network_id=network.pk, person_id=person.pk)
    return render(
        request,
        "records/person_form.html",
        {
            "form": form,
            "network": network,
            "person": person,
            "saved_now": saved_now,
            "hide_phone": hide_phone,
            "back": reverse("person", args=[network.pk, person.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def other_name_add(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    person = access.person_for_user(user, network, person_id)
    form = OtherNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.other_name_add(
                actor=user,
                network=network,
                person=person,
                kind=form.cleaned_data["kind"],
                given_name=form.cleaned_data.get("given_name") or "",
                family_name=form.cleaned_data.get("family_name") or "",
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Other name added for {person}")
            return redirect("person", network_id=network.pk, person_id=person.pk)
    return render(
        request, "records/other_name_form.html", {"form": form, "network": network, "person": person}
    )
