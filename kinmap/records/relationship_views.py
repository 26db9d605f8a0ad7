"""Pages that record, change and remove the relationships between the people
of a family. Views are thin: they find the record through the access
functions, hand input to a service, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kinmap.core.vocab import relation_sentence
from kinmap.web.forms import apply_errors, refuse_stale

from . import access, services
from . import models as m
from .date_forms import period_initial
from .errors import RecordError, StaleEdit
from .forms import (
    RelationshipForm,
    RemoveRelationshipForm,
)
from .presenters import provenance_words
from .selectors import family_record_load
from .views import _back, _people_choices, _user


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
