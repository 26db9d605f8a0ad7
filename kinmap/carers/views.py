"""Pages for safety information: a carer's page, recording information given,
joint appointments, the carer pack, and the partnership's materials catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.records import access as record_access
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.records.selectors import family_record_load
from kinmap.web.forms import apply_errors, refuse_stale

from . import access, services
from . import models as cm
from .forms import InformationForm, InviteForm, MaterialForm, OutcomeForm, WithdrawForm
from .pack import CarerPack, carer_pack_build, carer_pack_pdf
from .presenters import CarerLine, carer_lines
from .selectors import carer_config, material_titles, materials_active


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _carer(
    request: HttpRequest, network_id: int, person_id: int
) -> tuple[User, rm.FamilyNetwork, rm.Person, list[CarerLine]]:
    user = _user(request)
    network = record_access.network_for_user(user, network_id, read=False)
    person = record_access.person_for_user(user, network, person_id)
    record = family_record_load(network)
    lines = [
        c
        for c in carer_lines(record.graph_network, timezone.localdate(), material_titles(), carer_config())
        if c.person_id == person.pk
    ]
    return user, network, person, lines


def carer(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    user, network, person, lines = _carer(request, network_id, person_id)
    # the family read is recorded by the access check; this records whose page it was
    audit_record(actor=user, action="view", object_type="person", object_id=person_id, network_id=network_id)
    return render(
        request,
        "carers/carer.html",
        {
            "network": network,
            "person": person,
            "lines": lines,
            "first": lines[0] if lines else None,
            "lives_elsewhere": any(c.lives_elsewhere for c in lines),
        },
    )


@require_http_methods(["GET", "POST"])
def information_add(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    user = _user(request)
    network = record_access.network_for_user(user, network_id, read=False)
    person = record_access.person_for_user(user, network, person_id)
    form = InformationForm(
        request.POST or None,
        materials=list(materials_active()),
        initial={"given_on": timezone.localdate(), "outcome": "given"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.information_given_record(
                actor=user, network=network, person=person, data=form.information_data()
            )
        except RecordError as err:
            apply_errors(form, err)
        else:
            verb = "declined by" if rows[0].declined else "given to"
            titles = ", ".join(r.material.title for r in rows)
            messages.success(request, f"Recorded: {titles} {verb} {person}")
            return redirect("carer", network_id=network.pk, person_id=person.pk)
    return render(
        request, "carers/information_form.html", {"form": form, "network": network, "person": person}
    )


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    user = _user(request)
    network = record_access.network_for_user(user, network_id, read=False)
    person = record_access.person_for_user(user, network, person_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appt = services.joint_appointment_invite(
                actor=user,
                network=network,
                person=person,
                contact_on=form.cleaned_data.get("contact_on"),
                contact_type=form.cleaned_data.get("contact_type") or "",
            )
        except RecordError as err:
            apply_errors(form, err, {"person": "contact_type"})
        else:
            messages.success(request, f"{person} invited to the {appt.get_contact_type_display().lower()}")
            return redirect("carer", network_id=network.pk, person_id=person.pk)
    return render(request, "carers/invite_form.html", {"form": form, "network": network, "person": person})


@require_http_methods(["GET", "POST"])
def appointment_outcome(request: HttpRequest, network_id: int, appointment_id: int) -> HttpResponse:
    user = _user(request)
    network = record_access.network_for_user(user, network_id, read=False)
    appt = access.appointment_for_user(user, network, appointment_id)
    form = OutcomeForm(request.POST or None, initial={"version": appt.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.joint_appointment_outcome_record(
                actor=user,
                network=network,
                appointment=appt,
                outcome=form.cleaned_data.get("outcome") or "",
                expected_version=form.cleaned_data.get("version"),
                note=form.cleaned_data.get("note") or "",
            )
        except StaleEdit as err:
            appt = access.appointment_for_user(user, network, appointment_id)
            refuse_stale(form, err, {"version": appt.version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Outcome recorded for {appt.person}")
            return redirect("carer", network_id=network.pk, person_id=appt.person_id)
    return render(
        request, "carers/outcome_form.html", {"form": form, "network": network, "appointment": appt}
    )


def _pack(
    request: HttpRequest, network_id: int, person_id: int, fmt: str
) -> tuple[rm.FamilyNetwork, rm.Person, CarerPack]:
    user = _user(request)
    network = record_access.network_for_user(user, network_id, read=False)
    person = record_access.person_for_user(user, network, person_id)
    record = family_record_load(network)
    pack = carer_pack_build(
        record.graph_network, person.pk, list(cm.Material.objects.filter(active=True)), timezone.localdate()
    )
    if pack is None:
        raise Http404("No carer pack: this person is not recorded as caring for a child")
    audit_record(
        actor=user,
        action="export",
        object_type="carer_pack",
        object_id=person.pk,
        network_id=network.pk,
        changes={"format": [None, fmt], "materials": [None, [m.code for m in pack.materials]]},
    )
    return network, person, pack


def pack(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    network, person, built = _pack(request, network_id, person_id, "html")
    return render(request, "carers/pack.html", {"network": network, "person": person, "pack": built})


def pack_pdf(request: HttpRequest, network_id: int, person_id: int) -> HttpResponse:
    _network, _person, built = _pack(request, network_id, person_id, "pdf")
    response = HttpResponse(carer_pack_pdf(built), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


# -- the materials catalogue (partnership administrator) --------------------------------


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not access.is_materials_administrator(user):
        raise Http404("Not found")
    return user


def materials(request: HttpRequest, errors: list[str] | None = None) -> HttpResponse:
    _admin(request)
    rows = list(cm.Material.objects.order_by("-active", "title"))
    return render(
        request,
        "carers/materials.html",
        {"rows": rows, "audiences": cm.AUDIENCE_LABELS, "formats": cm.FORMAT_LABELS, "errors": errors},
    )


@require_http_methods(["GET", "POST"])
def material_edit(request: HttpRequest, material_id: int | None = None) -> HttpResponse:
    user = _admin(request)
    material = access.material_for_administrator(user, material_id) if material_id else None
    initial = MaterialForm.initial_for(material) if material else {"audience": "all", "languages": "English"}
    form = MaterialForm(request.POST or None, initial=initial)
    saved_now = None
    if request.method == "POST" and form.is_valid():
        try:
            if material is None:
                saved = services.material_create(actor=user, data=form.material_data())
            else:
                saved = services.material_update(
                    actor=user,
                    material=material,
                    data=form.material_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
        except StaleEdit as err:
            assert material is not None
            material = access.material_for_administrator(user, material.pk)
            saved_now = refuse_stale(form, err, MaterialForm.initial_for(material))
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Saved: {saved.title}")
            return redirect("materials")
    return render(
        request, "carers/material_form.html", {"form": form, "material": material, "saved_now": saved_now}
    )


@require_http_methods(["GET", "POST"])
def material_withdraw(request: HttpRequest, material_id: int) -> HttpResponse:
    """Asks for confirmation (and a reason) before a material is withdrawn."""
    user = _admin(request)
    material = access.material_for_administrator(user, material_id)
    form = WithdrawForm(request.POST or None, initial={"version": material.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.material_deactivate(
                actor=user,
                material=material,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as err:
            material = access.material_for_administrator(user, material_id)
            refuse_stale(form, err, {"version": material.version})
        except RecordError as err:
            apply_errors(form, err)
        else:
            messages.success(request, f"Withdrawn: {material.title}")
            return redirect("materials")
    given = material.given.count()
    return render(
        request, "carers/material_withdraw.html", {"form": form, "material": material, "given": given}
    )


@require_POST
def material_restore(request: HttpRequest, material_id: int) -> HttpResponse:
    user = _admin(request)
    material = access.material_for_administrator(user, material_id)
    version = request.POST.get("version", "")
    try:
        services.material_reactivate(
            actor=user, material=material, expected_version=int(version) if version.isdigit() else None
        )
    except RecordError as err:
        return materials(request, errors=err.messages)
    messages.success(request, f"Offered again: {material.title}")
    return redirect("materials")
