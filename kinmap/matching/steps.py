"""The step before a new person is saved: look for them on the record, and if
they may be there, show who and why and let the practitioner link the existing
person or confirm a new one with a reason. Kept apart from the views that add
a person (adding one to a family, starting a family around a child), which call
:func:`add_person_check` just before they save."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kinmap.accounts.models import User
from kinmap.core.matching import POSSIBLE_PROBABILITY, MatchRecord
from kinmap.core.vocab import DateAccuracy
from kinmap.records import models as m
from kinmap.records.access import visible_network_ids
from kinmap.records.services import PersonData
from kinmap.web.masking import can_see_masked

from .lookup import Candidate, candidates
from .search import holding_agencies

DECISION, REASON = "match_decision", "match_reason"
NEW = "new"


def person_data_record(d: PersonData, *, postcodes: tuple[str, ...] = ()) -> MatchRecord:
    """The match record of a person about to be added."""
    return MatchRecord(
        given_name=d.given_name,
        family_name=d.family_name,
        birth_date=d.birth_date,
        birth_date_estimated=d.birth_date_accuracy == DateAccuracy.ESTIMATED.value,
        nhs_number=d.nhs_number,
        postcodes=postcodes,
        phones=(d.phone,) if d.phone else (),
    )


@dataclass(frozen=True)
class Shown:
    """A possible match as shown to the practitioner: the person (None when
    they are only in networks the user may not see), the agencies holding
    them, the score, and whether they are already in this family."""

    candidate: Candidate
    person: m.Person | None
    agencies: list[str]
    already_here: bool

    @property
    def title(self) -> str:
        """Who they are, as far as the user may see."""
        if self.person is not None:
            return str(self.person)
        return (
            "the person held by " + ", ".join(self.agencies)
            if self.agencies
            else "the person already on the record"
        )

    @property
    def value(self) -> str:
        return f"link-{self.candidate.person_id}"

    @property
    def percent(self) -> int:
        return int(self.candidate.score.probability * 100)


@dataclass
class Decision:
    """What to do: ``response`` to show (the possible matches, or them again with
    an error), else link ``link`` or add a new person, auditing ``rejected``
    with ``reason``."""

    response: HttpResponse | None = None
    link: Candidate | None = None
    rejected: list[Candidate] = field(default_factory=list)
    reason: str = ""


class DecisionForm(forms.Form):
    match_decision = forms.ChoiceField(
        label="Is this one of these people?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person already on the record, or say this is someone new"},
    )
    match_reason = forms.CharField(
        label="If this is someone new, say why they are not the person above",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, data: Any, shown: list[Shown]) -> None:
        super().__init__(data)
        choices = [(s.value, f"Yes: use {s.title} ({s.percent}% likely)") for s in shown]
        field_ = self.fields[DECISION]
        assert isinstance(field_, forms.ChoiceField)
        linkable = [c for c, s in zip(choices, shown, strict=True) if not s.already_here]
        field_.choices = [*linkable, (NEW, "No, add a new person")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get(DECISION) == NEW and not (data.get(REASON) or "").strip():
            self.add_error(REASON, "Say why this is a different person")
        return data


def shown_matches(user: User, network: m.FamilyNetwork | None, found: list[Candidate]) -> list[Shown]:
    """The candidates as the user may see them (``network``: the family they
    are being added to, None when starting one). Three queries."""
    ids = [c.person_id for c in found]
    members = m.NetworkMember.objects.filter(person_id__in=ids).select_related("person")
    networks_of: dict[int, set[int]] = {}
    people: dict[int, m.Person] = {}
    for row in members:
        networks_of.setdefault(row.person_id, set()).add(row.network_id)
        people[row.person_id] = row.person
    visible = visible_network_ids(user)
    agencies = holding_agencies(sorted({n for ns in networks_of.values() for n in ns} - visible))
    out = []
    for c in found:
        nets = networks_of.get(c.person_id, set())
        names = sorted({a for n in nets - visible for a in agencies.get(n, [])})
        person = people.get(c.person_id) if nets & visible else None
        out.append(Shown(c, person, names, network is not None and network.pk in nets))
    return out


def add_person_check(
    request: HttpRequest, *, user: User, network: m.FamilyNetwork | None, data: PersonData, title: str
) -> Decision:
    """Look for ``data`` on the record before it is saved as a new person:
    the one step of every page that adds a person, adding them to ``network``
    (the add-person page) or starting a family network around them
    (``network`` None: the start-a-family page).

    No possible match: an empty decision (add as new). Possible matches and no
    decision posted yet, or a decision with an error: ``response`` is the page
    that shows them, re-posting the add-person form's fields. A decision: the
    candidate to link (one of those found again now, never an id taken on
    trust), or new with the reason and the candidates rejected."""
    found = candidates(
        person_data_record(data.cleaned()),
        min_probability=POSSIBLE_PROBABILITY,
        with_masked=can_see_masked(user),
    )
    if not found:
        return Decision()
    shown = shown_matches(user, network, found)
    posted = request.POST.get(DECISION)
    form = DecisionForm(request.POST if posted is not None else None, shown)
    if posted is not None and form.is_valid():
        choice = form.cleaned_data[DECISION]
        if choice == NEW:
            return Decision(rejected=found, reason=form.cleaned_data[REASON])
        return Decision(link=next(s.candidate for s in shown if s.value == choice))
    skip = (DECISION, REASON, "csrfmiddlewaretoken")
    hidden = [(k, v) for k, vs in request.POST.lists() if k not in skip for v in vs]
    context = {
        "form": form,
        "shown": shown,
        "hidden": hidden,
        "network": network,
        "title": title,
        "typed": data,
    }
    return Decision(response=render(request, "matching/possible_matches.html", context))
