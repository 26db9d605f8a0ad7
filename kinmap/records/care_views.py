"""Pages that record where the people of a family live (stays and addresses)
and who looks after and holds responsibility for its children (care
arrangements, parental responsibility, care orders). Views are thin: they find
the record through the access functions, hand input to a service, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kinmap.core import answerers
from kinmap.web.forms import apply_errors, refuse_stale
from kinmap.web.masking import address_for

from . import access, services
from . import models as m
from .care_orders import care_order_set
from .date_forms import period_initial
from .errors import RecordError, StaleEdit
from .forms import (
    AddressForm,
    CareForm,
    CareOrderForm,
    ParentalResponsibilityForm,
    ResidenceForm,
    StayForm,
)
from .selectors import family_record_load
from .views import _back, _people_choices, _user


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
