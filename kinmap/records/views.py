"""Pages of the family record. Views are thin: they find the record through the
access functions, hand input to a service, and render."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.chronology.asat import as_at_audit, as_at_from, read_only
from kinmap.core import answerers
from kinmap.core.vocab import relation_sentence
from kinmap.gaps import engine as gap_engine
from kinmap.gaps.forms import WorklistFilterForm
from kinmap.gaps.selectors import WorklistFilter, team_worklist, worklist_networks, worklist_rows
from kinmap.matching.services import network_start_decided, person_add_decided
from kinmap.matching.steps import add_person_check
from kinmap.web.forms import apply_errors, refuse_stale
from kinmap.web.masking import address_for, can_see_masked
from kinmap.web.pagination import Pagination, page_of

from . import access, services
from . import models as m
from .care_orders import care_order_set
from .date_forms import period_initial
from .errors import RecordError, StaleEdit
from .forms import (
    LIVES_ELSEWHERE,
    LIVES_WITH_CHILD,
    AddPersonForm,
    AddressForm,
    CareForm,
    CareOrderForm,
    OtherNameForm,
    ParentalResponsibilityForm,
    PersonForm,
    RelationshipForm,
    RemoveRelationshipForm,
    ResidenceForm,
    StartNetworkForm,
    StayForm,
)
from .presenters import family_page_context, person_page_context, provenance_words
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
    record = family_record_load(network, as_at=as_at.moment)  # network_for_user recorded the read
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


@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    form = RelationshipForm(request.POST or None, people=_people_choices(record))
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_create(
                actor=user,
                network=network,
                from_person=record.people[form.cleaned_data["from_person"]],
                to_person=record.people[form.cleaned_data["to_person"]],
                data=form.relationship_data(),
                source=form.source_value(),
            )
        except RecordError as err:
            apply_errors(form, err, {"from": "from_person", "to": "to_person"})
        else:
            messages.success(request, "Relationship added")
            return redirect("family", network_id=network.pk)
    return render(request, "records/relationship_form.html", {"form": form, "network": network})


@require_http_methods(["GET", "POST"])
def residence_add(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    households = [(h.pk, address_for(h, user)) for h in record.households.values()]
    form = ResidenceForm(request.POST or None, people=_people_choices(record), households=households)
    if request.method == "POST" and form.is_valid():
        hid = form.cleaned_data.get("household") or 0
        try:
            services.residences_create(
                actor=user,
                network=network,
                people=[record.people[pid] for pid in form.cleaned_data["person"]],
                household=record.households.get(hid),
                address=None if hid else form.address_data(),
                start=form.cleaned_data.get("start"),
                end=form.cleaned_data.get("end"),
                source=form.source_value(),
                accuracy=form.span_accuracy(),
            )
        except RecordError as err:
            apply_errors(form, err, {"household": "household"})
        else:
            messages.success(request, "Household updated")
            return redirect("family", network_id=network.pk)
    return render(request, "records/residence_form.html", {"form": form, "network": network})


CARE_FIELDS = ("place", "frequency", "overnight", "supervised", "sleep_place", "version")


def _care_values(care: m.CareArrangement) -> dict[str, Any]:
    return (
        {f: getattr(care, f) for f in CARE_FIELDS}
        | period_initial(care)
        | {"carer": care.carer_id, "child": care.child_id}
    )


@require_http_methods(["GET", "POST"])
def care_add(request: HttpRequest, network_id: int, care_id: int | None = None) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    record = family_record_load(network)
    care = access.care_for_user(user, network, care_id) if care_id else None
    if care is None:
        access.record_read(user, network)
    people = answerers.carers(record.graph_network, _people_choices(record), timezone.localdate())
    children = [(pid, str(record.people[pid])) for pid in record.index_child_ids]
    initial: dict[str, Any] = _care_values(care) if care is not None else {}
    if care is None and request.GET.get("carer", "").isdigit():
        initial["carer"] = int(request.GET["carer"])
    form = CareForm(request.POST or None, carers=people, children=children, initial=initial)
    if care is not None:
        form.fields["carer"].disabled = True
        form.fields["child"].disabled = True
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            if care is None:
                services.care_create(
                    actor=user,
                    network=network,
                    carer=record.people[form.cleaned_data["carer"]],
                    child=record.people[form.cleaned_data["child"]],
                    data=form.care_data(),
                    source=form.source_value(),
                )
            else:
                services.care_update(
                    actor=user,
                    network=network,
                    care=care,
                    data=form.care_data(),
                    expected_version=form.cleaned_data.get("version"),
                    source=form.source_value(),
                )
        except StaleEdit as err:
            assert care is not None
            saved_now = refuse_stale(form, err, _care_values(m.CareArrangement.objects.get(pk=care.pk)))
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Care arrangement saved")
            return redirect(_back(request, network))
    return render(
        request,
        "records/care_form.html",
        {
            "form": form,
            "network": network,
            "care": care,
            "saved_now": saved_now,
            "back": _back(request, network),
        },
    )


# -- changing and removing relationships -------------------------------------


def _relationship_values(rel: m.Relationship) -> dict[str, Any]:
    return {
        "from_person": rel.from_person_id,
        "to_person": rel.to_person_id,
        "type": rel.type,
        **period_initial(rel),
        "legal_basis": rel.legal_basis,
        "version": rel.version,
    }


@require_http_methods(["GET", "POST"])
def relationship_edit(request: HttpRequest, network_id: int, rel_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    rel = access.relationship_for_user(user, network, rel_id)
    record = family_record_load(network)
    people = [(pid, str(p)) for pid, p in sorted(record.people.items())]
    form = RelationshipForm(request.POST or None, people=people, initial=_relationship_values(rel))
    form.fields["from_person"].disabled = True
    form.fields["to_person"].disabled = True
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_update(
                actor=user,
                network=network,
                relationship=rel,
                data=form.relationship_data(),
                expected_version=form.cleaned_data.get("version"),
                source=form.source_value(),
            )
        except StaleEdit as err:
            saved_now = refuse_stale(form, err, _relationship_values(m.Relationship.objects.get(pk=rel.pk)))
        except RecordError as err:
            apply_errors(form, err, {"from": "type", "to": "type"})
        else:
            messages.success(request, "Relationship changed")
            return redirect(_back(request, network))
    return render(
        request,
        "records/relationship_form.html",
        {
            "form": form,
            "network": network,
            "rel": rel,
            "saved_now": saved_now,
            "back": _back(request, network),
            "provenance": _rel_provenance(record, rel),
        },
    )


def _rel_provenance(record: Any, rel: m.Relationship) -> str:
    for r in record.graph_network.relationships:
        if r.id == rel.pk:
            return provenance_words(r.provenance)
    return provenance_words(None)


def _rel_words(record: Any, rel: m.Relationship) -> str:
    who = record.people[rel.from_person_id]
    return relation_sentence(
        rel.type, str(who), str(record.people[rel.to_person_id]), rel.legal_basis, from_sex=who.sex
    )


@require_http_methods(["GET", "POST"])
def relationship_remove(request: HttpRequest, network_id: int, rel_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    rel = access.relationship_for_user(user, network, rel_id)
    record = family_record_load(network)
    form = RemoveRelationshipForm(request.POST or None, initial={"version": rel.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_delete(
                actor=user,
                network=network,
                relationship=rel,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            rel = m.Relationship.objects.get(pk=rel.pk)
            record = family_record_load(network)
            refuse_stale(form, err, {"version": rel.version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Relationship removed: {_rel_words(record, rel)}")
            return redirect(_back(request, network))
    return render(
        request,
        "records/relationship_remove.html",
        {
            "form": form,
            "network": network,
            "rel": rel,
            "words": _rel_words(record, rel),
            "back": _back(request, network),
        },
    )


# -- households --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def residence_edit(request: HttpRequest, network_id: int, residence_id: int) -> HttpResponse:
    """When one person lived at one address: moving in and moving out."""
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    res = access.residence_for_user(user, network, residence_id)

    def values(r: m.Residence) -> dict[str, Any]:
        return {**period_initial(r), "version": r.version}

    form = StayForm(request.POST or None, initial=values(res))
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            services.residence_update(
                actor=user,
                network=network,
                residence=res,
                start=form.cleaned_data.get("start"),
                end=form.cleaned_data.get("end"),
                expected_version=form.cleaned_data.get("version"),
                accuracy=form.span_accuracy(),
            )
        except StaleEdit as err:
            saved_now = refuse_stale(form, err, values(m.Residence.objects.get(pk=res.pk)))
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Stay at this address updated for {res.person}")
            return redirect(_back(request, network))
    return render(
        request,
        "records/stay_form.html",
        {
            "form": form,
            "network": network,
            "res": res,
            "address": address_for(res.household, user),
            "saved_now": saved_now,
            "back": _back(request, network),
        },
    )


ADDRESS_FIELDS = ("address_line_1", "address_line_2", "town", "postcode", "masked", "version")


@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, network_id: int, household_id: int) -> HttpResponse:
    user = _user(request)
    network, household = access.household_for_user(user, network_id, household_id)

    def values(h: m.Household) -> dict[str, Any]:
        return {f: getattr(h, f) for f in ADDRESS_FIELDS}

    form = AddressForm(request.POST or None, initial=values(household))
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=user,
                network=network,
                household=household,
                address=form.address_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            saved_now = refuse_stale(form, err, values(m.Household.objects.get(pk=household.pk)))
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Address changed")
            return redirect(_back(request, network))
    lived_here = household.residences.filter(person__memberships__network=network).select_related("person")
    residents = sorted({str(r.person) for r in lived_here})
    return render(
        request,
        "records/address_form.html",
        {
            "form": form,
            "network": network,
            "household": household,
            "residents": residents,
            "saved_now": saved_now,
            "back": _back(request, network),
        },
    )


# -- care orders (the local authority's parental responsibility) -------------


def _care_order_values(pr: m.ParentalResponsibility) -> dict[str, Any]:
    return {
        "child": pr.child_id,
        "local_authority": pr.local_authority,
        **period_initial(pr),
        "version": pr.version,
    }


@require_http_methods(["GET", "POST"])
def care_order_add(request: HttpRequest, network_id: int, order_id: int | None = None) -> HttpResponse:
    """Record a care order for an index child (the local authority shares
    parental responsibility with the parents), or change one."""
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    record = family_record_load(network)
    order = access.care_order_for_user(user, network, order_id) if order_id else None
    if order is None:
        access.record_read(user, network)
    children = [(pid, str(record.people[pid])) for pid in record.index_child_ids]
    initial: dict[str, Any] = _care_order_values(order) if order is not None else {}
    if order is None and request.GET.get("child", "").isdigit():
        initial["child"] = int(request.GET["child"])
    form = CareOrderForm(request.POST or None, children=children, initial=initial)
    if order is not None:
        form.fields["child"].disabled = True
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            care_order_set(
                actor=user,
                network=network,
                child=record.people[form.cleaned_data["child"]],
                local_authority=form.cleaned_data["local_authority"],
                start=form.cleaned_data.get("start"),
                end=form.cleaned_data.get("end"),
                source=form.source_value(),
                record=order,
                expected_version=form.cleaned_data.get("version") if order is not None else None,
                accuracy=form.span_accuracy(),
            )
        except StaleEdit as err:
            if order is None:
                apply_errors(form, err)
            else:
                saved_now = refuse_stale(
                    form, err, _care_order_values(m.ParentalResponsibility.objects.get(pk=order.pk))
                )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Care order recorded")
            return redirect(_back(request, network))
    return render(
        request,
        "records/care_order_form.html",
        {
            "form": form,
            "network": network,
            "order": order,
            "saved_now": saved_now,
            "back": _back(request, network),
        },
    )


# -- parental responsibility -------------------------------------------------


def _pr_values(pr: m.ParentalResponsibility) -> dict[str, Any]:
    return {
        "person": pr.person_id,
        "child": pr.child_id,
        "basis": pr.basis,
        **period_initial(pr),
        "version": pr.version,
    }


@require_http_methods(["GET", "POST"])
def pr_add(request: HttpRequest, network_id: int, pr_id: int | None = None) -> HttpResponse:
    """Record a period of one person's parental responsibility for one child
    (a new record: they may have held it before), or change one."""
    user = _user(request)
    network = access.network_for_user(user, network_id, read=False)
    record = family_record_load(network)
    pr = access.pr_for_user(user, network, pr_id) if pr_id else None
    if pr is None:
        access.record_read(user, network)
    children = [(pid, str(record.people[pid])) for pid in record.index_child_ids]
    people = [(pid, name) for pid, name in _people_choices(record) if pid not in record.index_child_ids]
    initial: dict[str, Any] = _pr_values(pr) if pr is not None else {}
    for key in ("person", "child"):
        if pr is None and request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    form = ParentalResponsibilityForm(request.POST or None, people=people, children=children, initial=initial)
    if pr is not None:
        form.fields["person"].disabled = True
        form.fields["child"].disabled = True
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            services.pr_set(
                actor=user,
                network=network,
                person=record.people[form.cleaned_data["person"]],
                child=record.people[form.cleaned_data["child"]],
                basis=form.cleaned_data["basis"],
                start=form.cleaned_data.get("start"),
                end=form.cleaned_data.get("end"),
                source=form.source_value(),
                record=pr,
                expected_version=form.cleaned_data.get("version") if pr is not None else None,
                accuracy=form.span_accuracy(),
            )
        except StaleEdit as err:
            if pr is None:  # recorded by someone else since this page loaded
                apply_errors(form, err)
            else:
                saved_now = refuse_stale(
                    form, err, _pr_values(m.ParentalResponsibility.objects.get(pk=pr.pk))
                )
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, "Parental responsibility recorded")
            return redirect(_back(request, network))
    return render(
        request,
        "records/pr_form.html",
        {"form": form, "network": network, "pr": pr, "saved_now": saved_now, "back": _back(request, network)},
    )
