"""The chronology page of a family, and its CSV and PDF downloads.

Each goes through the network access function (404 alike for a missing
family and one the user may not see, nothing then recorded), which records
the read of the family in the audit trail (once per request, like every page
of a family); a download is also recorded as an export, with its format and
filters, like the genogram downloads. The filters
(person, kind) are a GET form that works without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.chronology import Line, line_filter
from kinmap.records import access
from kinmap.records import models as m
from kinmap.records.selectors import family_record_load
from kinmap.web.forms import OneAnswerEach

from .exports import chronology_csv, chronology_pdf
from .kinds import KIND_LABELS
from .selectors import chronology_load


class ChronologyFilterForm(OneAnswerEach):
    person = forms.TypedChoiceField(label="Person", required=False, choices=[], coerce=int, empty_value=None)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Every kind"), *KIND_LABELS.items()])

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Everyone"), *people]


@dataclass
class Chronology:
    network: m.FamilyNetwork
    form: ChronologyFilterForm
    lines: list[Line]  # the lines the filters chose
    total: int
    names: dict[int, str]
    person: int | None
    kind: str

    @property
    def rows(self) -> list[tuple[Line, str]]:
        """Each line with its kind in words."""
        return [(x, KIND_LABELS.get(x.kind, x.kind)) for x in self.lines]

    @property
    def filters(self) -> dict[str, Any]:
        return {"person": self.person, "kind": self.kind}

    @property
    def scope(self) -> str:
        """What the lines cover, in words (for the PDF)."""
        who = self.names.get(self.person, "") if self.person else "everyone"
        kind = KIND_LABELS.get(self.kind, "every kind") if self.kind else "every kind"
        return f"Lines about {who}, of {kind.lower()}: {len(self.lines)} of {self.total}."


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _chronology(request: HttpRequest, network_id: int) -> tuple[User, Chronology]:
    """The chronology the request asks for (the read of the family recorded)."""
    user = _user(request)
    network = access.network_for_user(user, network_id)
    record = family_record_load(network)
    net = record.graph_network
    names = {pid: net.people[pid].display_name for pid in sorted(record.member_ids)}
    form = ChronologyFilterForm(request.GET or None, people=list(names.items()))
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    person, kind = chosen.get("person"), chosen.get("kind") or ""
    lines = chronology_load(record, user)
    shown = line_filter(lines, person=person, kind=kind)
    return user, Chronology(network, form, shown, len(lines), names, person, kind)


def chronology(request: HttpRequest, network_id: int) -> HttpResponse:
    """The family's chronology, in date order, filterable by person and kind."""
    _user, c = _chronology(request, network_id)  # the read of the family is recorded
    return render(
        request,
        "chronology/chronology.html",
        {"network": c.network, "c": c, "form": c.form, "query": request.GET.urlencode()},
        status=400 if c.form.is_bound and c.form.errors else 200,
    )


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def download(request: HttpRequest, network_id: int, fmt: str) -> HttpResponse:
    """The chronology (as filtered) as an attachment in ``fmt`` ("csv" or
    "pdf"), recorded in the audit trail as an export."""
    user, c = _chronology(request, network_id)
    if fmt == "csv":
        body: bytes = chronology_csv(c.lines, c.names).encode()
    else:
        title = f"Chronology of {c.network.name}"
        body = chronology_pdf(title, c.lines, c.names, timezone.localdate(), c.scope)
    audit_record(
        actor=user,
        action="export",
        object_type="chronology",
        object_id=c.network.pk,
        network_id=c.network.pk,
        changes={"format": [None, fmt], "filters": [None, c.filters], "lines": [None, len(c.lines)]},
    )
    slug = re.sub(r"[^a-z0-9]+", "-", c.network.name.lower()).strip("-") or "family"
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"chronology-{slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
