"""The step before a new person is saved: look for them on the record, and if
they may be there, show who and why and let the practitioner link the existing
person or confirm a new one with a reason. Kept apart from the views that add
a person (adding one to a family, starting a family around a child), which call
:func:`add_person_check` just before they save."""

from __future__ import annotations

import hashlib
import secrets
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
from kinmap.web.forms import OneAnswerEach
from kinmap.web.masking import can_see_masked
from kinmap.web.submissions import FIELD as SUBMISSION

from .lookup import Candidate, candidates
from .search import holding_agencies

DECISION, REASON = "match_decision", "match_reason"
NEW = "new"
#: The hidden field naming the check the page showed, and the session key of
#: the checks shown: ``{token: {"data": fingerprint, "shown": [person ids],
#: "offered": [person ids]}}``, the last :data:`KEEP_CHECKS` (several tabs).
CHECK, CHECKS = "match_check", "kinmap.add_person_checks"
KEEP_CHECKS = 8
UNSEEN = (
    "Check the people below again, then choose: "
    "the details or the possible matches changed after they were shown"
)
NOT_OFFERED = "Choose one of the people shown, or say this is someone new"


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


class DecisionForm(OneAnswerEach):
    match_decision = forms.ChoiceField(
        label="Is this one of these people?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the person already on the record, or say this is someone new",
            "invalid_choice": NOT_OFFERED,
        },
    )
    match_reason = forms.CharField(
        label="If this is someone new, say why they are not the person above",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, data: Any, shown: list[Shown], *, offered: set[int] | None = None) -> None:
        """``offered`` None: the page is shown (or sent without having been
        shown: :attr:`unseen`); else the person ids the page showed as ones to
        use, the only ones a decision may link."""
        super().__init__(data)
        self.unseen = data is not None and offered is None
        field_ = self.fields[DECISION]
        assert isinstance(field_, forms.ChoiceField)
        field_.choices = [
            *(
                (s.value, f"Yes: use {s.title} ({s.percent}% likely)")
                for s in shown
                if not s.already_here and (offered is None or s.candidate.person_id in offered)
            ),
            (NEW, "No, add a new person"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.unseen:  # a decision about a list this page did not show for these details
            self.errors.pop(DECISION, None)
            self.add_error(DECISION, UNSEEN)
        elif data.get(DECISION) == NEW and not (data.get(REASON) or "").strip():
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


def _fingerprint(record: MatchRecord) -> str:
    """The details a check looked for, as a SHA-256 hex digest."""
    return hashlib.sha256(repr(record).encode()).hexdigest()


def _check_keep(request: HttpRequest, fingerprint: str, shown: list[Shown]) -> str:
    """Keep what the page about to be shown offers, in the user's session, under
    a new random token (22 URL-safe characters) that the page sends back."""
    token = secrets.token_urlsafe(16)
    checks = dict(request.session.get(CHECKS, {}))
    checks[token] = {
        "data": fingerprint,
        "shown": [s.candidate.person_id for s in shown],
        "offered": [s.candidate.person_id for s in shown if not s.already_here],
    }
    request.session[CHECKS] = dict(list(checks.items())[-KEEP_CHECKS:])
    return token


def _check_shown(request: HttpRequest, fingerprint: str, found: list[Candidate]) -> set[int] | None:
    """The person ids the page named by the posted token offered, if it was
    shown for these same details and every candidate found now was on it;
    else None (then the page is shown again)."""
    check = request.session.get(CHECKS, {}).get(request.POST.get(CHECK, ""))
    if not isinstance(check, dict) or check.get("data") != fingerprint:
        return None
    if not {c.person_id for c in found} <= set(check.get("shown", ())):
        return None
    return set(check.get("offered", ()))


def add_person_check(
    request: HttpRequest,
    *,
    user: User,
    network: m.FamilyNetwork | None,
    data: PersonData,
    title: str,
    postcodes: tuple[str, ...] = (),
) -> Decision:
    """Look for ``data`` on the record before it is saved as a new person:
    the one step of every page that adds a person, adding them to ``network``
    (the add-person page) or starting a family network around them
    (``network`` None: the start-a-family page). ``postcodes``: those of an
    address typed with them (where they live), compared like any other.

    No possible match: an empty decision (add as new). Possible matches and no
    decision posted yet, or a decision with an error: ``response`` is the page
    that shows them, re-posting the add-person form's fields. A decision: the
    candidate to link, or new with the reason and the candidates rejected.

    Nothing the page sends back is taken on trust: the lookup runs again on
    every post; what the page showed is kept in the session (the page carries
    only a random token for it), and a decision counts only for the page shown
    for these same details with every candidate found now on it (else the
    page is shown again, with an error); a link only to a person that page
    offered and the check finds now (else "Choose one of the people shown",
    alike for any other id); "new" always with a reason."""
    record = person_data_record(data.cleaned(), postcodes=tuple(p for p in postcodes if p.strip()))
    found = candidates(record, min_probability=POSSIBLE_PROBABILITY, with_masked=can_see_masked(user))
    if not found:
        return Decision()
    shown = shown_matches(user, network, found)
    fingerprint = _fingerprint(record)
    posted = request.POST.get(DECISION)
    offered = _check_shown(request, fingerprint, found) if posted is not None else None
    form = DecisionForm(request.POST if posted is not None else None, shown, offered=offered)
    if posted is not None and form.is_valid():
        spent = request.POST[CHECK]  # one decision per page shown
        request.session[CHECKS] = {k: v for k, v in request.session[CHECKS].items() if k != spent}
        choice = form.cleaned_data[DECISION]
        if choice == NEW:
            return Decision(rejected=found, reason=form.cleaned_data[REASON])
        return Decision(link=next(s.candidate for s in shown if s.value == choice))
    skip = (DECISION, REASON, CHECK, SUBMISSION, "csrfmiddlewaretoken")
    hidden = [(k, v) for k, vs in request.POST.lists() if k not in skip for v in vs]
    context = {
        "form": form,
        "shown": shown,
        "hidden": hidden,
        "check": _check_keep(request, fingerprint, shown),
        "network": network,
        "title": title,
        "typed": data,
    }
    return Decision(response=render(request, "matching/possible_matches.html", context))
