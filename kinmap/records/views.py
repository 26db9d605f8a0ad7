"""Pages of the family record. Views are thin: they find the record through the
access functions, hand input to a service, and render."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.web.masking import MASKED_TEXT, address_for, can_see_masked

from . import access, services
from . import models as m
from .errors import RecordError
from .forms import AddPersonForm, CareForm, PersonForm, RelationshipForm, ResidenceForm, StartNetworkForm
from .presenters import family_page_context
from .selectors import family_record_load, networks_for_user


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _apply_errors(form: forms.Form, err: RecordError, field_map: dict[str, str] | None = None) -> None:
    """Show a refused change on the form, next to the field at fault where there is one."""
    fmap = field_map or {}
    for p in err.problems:
        name = fmap.get(p.field, p.field)
        form.add_error(name if name in form.fields else None, p.message)


def my_families(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    networks = list(networks_for_user(user).prefetch_related("members__person"))
    rows = []
    for n in networks:
        children = [mem.person for mem in n.members.all() if mem.is_index]
        rows.append({"network": n, "children": children})
    if networks:
        audit_record(
            actor=user,
            action="list",
            object_type="my-families",
            changes={"networks": [None, [n.pk for n in networks]]},
        )
    return render(request, "records/my_families.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def network_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in access.FAMILY_ROLES or not user.team_id:
        return render(request, "records/not_allowed.html", status=403)
    form = StartNetworkForm(request.POST or None, initial={"birth_date_accuracy": "accurate"})
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_create(
                actor=user, child=form.person_data(), source=form.source_value()
            )
        except RecordError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, f"Family network started: {network.name}")
            return redirect("family", network_id=network.pk)
    return render(request, "records/network_start.html", {"form": form})


def family(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)  # network_for_user recorded the read
    return render(request, "records/family.html", family_page_context(record, user))


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
        try:
            person = services.person_add(
                actor=user,
                network=network,
                data=form.person_data(),
                source=form.source_value(),
                related_to=related,
                relationship=rel,
                reverse=reverse,
            )
        except RecordError as err:
            _apply_errors(form, err, {"type": "relationship", "from": "relationship", "to": "relationship"})
        else:
            messages.success(request, f"{person} added")
            return redirect("family", network_id=network.pk)
    return render(request, "records/person_form.html", {"form": form, "network": network, "adding": True})


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    person = access.person_for_user(user, network, person_id)
    # A masked telephone number is neither shown to nor changeable by a user
    # who is not entitled to see it: the form keeps the stored one.
    phone_withheld = person.phone_masked and not can_see_masked(user)
    initial = PersonForm.initial_for(person)
    if phone_withheld:
        initial["phone"] = ""
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.person_data()
        if phone_withheld:
            data = dataclasses.replace(data, phone=person.phone, phone_masked=True)
        try:
            services.person_update(
                actor=user,
                network=network,
                person=person,
                data=data,
                expected_version=form.cleaned_data.get("version"),
                source=form.source_value(),
            )
        except RecordError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, f"{person} updated")
            return redirect("family", network_id=network.pk)
    return render(
        request,
        "records/person_form.html",
        {
            "form": form,
            "network": network,
            "person": person,
            "phone_withheld": phone_withheld,
            "masked_text": MASKED_TEXT,
        },
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
            _apply_errors(form, err, {"from": "from_person", "to": "to_person"})
        else:
            messages.success(request, "Relationship added")
            return redirect("family", network_id=network.pk)
    return render(request, "records/relationship_form.html", {"form": form, "network": network})


@require_http_methods(["GET", "POST"])
def residence_add(request: HttpRequest, network_id: int) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    households = [(h.pk, _address_choice(h, user)) for h in record.households.values()]
    form = ResidenceForm(request.POST or None, people=_people_choices(record), households=households)
    if request.method == "POST" and form.is_valid():
        hid = form.cleaned_data.get("household") or 0
        try:
            services.residence_create(
                actor=user,
                network=network,
                person=record.people[form.cleaned_data["person"]],
                household=record.households.get(hid),
                address=None if hid else form.address_data(),
                start=form.cleaned_data.get("start"),
                end=form.cleaned_data.get("end"),
                source=form.source_value(),
            )
        except RecordError as err:
            _apply_errors(form, err, {"household": "household"})
        else:
            messages.success(request, "Household updated")
            return redirect("family", network_id=network.pk)
    return render(request, "records/residence_form.html", {"form": form, "network": network})


def _address_choice(h: m.Household, user: User) -> str:
    return address_for(h, user)


@require_http_methods(["GET", "POST"])
def care_add(request: HttpRequest, network_id: int, care_id: int | None = None) -> HttpResponse:
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    care = access.care_for_user(user, network, care_id) if care_id else None
    people = _people_choices(record)
    children = [(pid, str(record.people[pid])) for pid in record.index_child_ids]
    initial: dict[str, Any] = {}
    if care is not None:
        initial = {
            f: getattr(care, f)
            for f in (
                "place",
                "frequency",
                "overnight",
                "supervised",
                "sleep_place",
                "start",
                "end",
                "version",
            )
        } | {"carer": care.carer_id, "child": care.child_id}
    form = CareForm(request.POST or None, carers=people, children=children, initial=initial)
    if care is not None:
        form.fields["carer"].disabled = True
        form.fields["child"].disabled = True
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
        except RecordError as err:
            _apply_errors(form, err)
        else:
            messages.success(request, "Care arrangement saved")
            return redirect("family", network_id=network.pk)
    return render(request, "records/care_form.html", {"form": form, "network": network, "care": care})
