"""What practitioners did with a family, as chronology lines: contacts, gaps
raised, asked, declined and answered, safety information given, requests to
other agencies and their answers, sharing decisions and supervisor decisions.
One query per kind, with the users joined in. None of these rows is ever
changed after the fact except a request's answer, which is its own line."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.carers import models as cm
from kinmap.core.chronology import Line
from kinmap.core.vocab import CONTACT_TYPE_LABELS, INFO_HOW_LABELS
from kinmap.gaps import engine
from kinmap.gaps import models as gm
from kinmap.gaps.answers import subject_person
from kinmap.gaps.models import EventKind
from kinmap.gaps.presenters import answer_words, event_day, source_words
from kinmap.records import models as rm
from kinmap.records.selectors import FamilyRecord
from kinmap.sharing import models as sm
from kinmap.sharing.facts import what_label

from .history import Names
from .kinds import CONTACTS, GAPS, INFORMATION_GIVEN, REQUESTS, SHARING, SUPERVISION


def _by(user: User | None) -> str:
    return user.username if user is not None else ""


def _line(at: datetime, by: User | None, kind: str, words: str, people: set[int] | frozenset[int]) -> Line:
    """A line that happened when it was recorded."""
    return Line(timezone.localdate(at), True, kind, words, frozenset(people), at, _by(by))


def activity_lines(record: FamilyRecord, names: Names) -> list[Line]:
    """The lines of practitioners' work with the family (seven queries)."""
    network = record.network
    members = record.member_ids
    lines: list[Line] = []
    contacts = (
        gm.Contact.objects.filter(network=network)
        .select_related("practitioner")
        .prefetch_related("seen_directly")
        .order_by("date", "pk")
    )
    for c in contacts:
        seen = sorted(p.pk for p in c.seen_directly.all())
        words = f"{CONTACT_TYPE_LABELS.get(c.type, gm.ContactType(c.type).label)} by {_by(c.practitioner)}"
        if seen:
            words += "; seen: " + ", ".join(names(pid) for pid in seen)
        lines.append(Line(c.date, True, CONTACTS, words, frozenset(seen), c.opened_at, _by(c.practitioner)))
    lines += _gap_lines(record, names)
    given = (
        cm.InformationGiven.objects.filter(network=network, person_id__in=members)
        .select_related("material", "given_by")
        .order_by("given_on", "pk")
    )
    for i in given:
        if i.declined:
            words = f"{i.material.title} offered to {names(i.person_id)}, who declined" + (
                f": {i.declined_reason}" if i.declined_reason else ""
            )
        else:
            how = INFO_HOW_LABELS.get(i.how, i.how).lower()  # type: ignore[call-overload]
            words = f"{i.material.title} given to {names(i.person_id)} ({how})"
        lines.append(
            Line(
                i.given_on,
                True,
                INFORMATION_GIVEN,
                words,
                frozenset({i.person_id}),
                i.recorded_at,
                _by(i.given_by),
            )
        )
    requests = sm.InformationRequest.objects.filter(network=network).select_related(
        "to_agency", "requested_by", "answered_by"
    )
    for r in requests.order_by("requested_at", "pk"):
        who = {r.person_id}
        about = f"{what_label(r.what).lower()} of {names(r.person_id)}"
        lines.append(
            _line(r.requested_at, r.requested_by, REQUESTS, f"Asked {r.to_agency.name} for the {about}", who)
        )
        if r.answered_at is not None:
            if r.status == sm.InformationRequest.Status.DECLINED:
                words = f"{r.to_agency.name} declined to give the {about}" + (
                    f": {r.decline_reason}" if r.decline_reason else ""
                )
            else:
                words = f"{r.to_agency.name} answered the request for the {about}: {r.outcome}"
            lines.append(_line(r.answered_at, r.answered_by, REQUESTS, words, who))
    decisions = sm.SharingDecision.objects.filter(network=network).select_related("decided_by")
    for d in decisions.order_by("decided_at", "pk"):
        verb = "share" if d.decision == sm.SharingDecision.Decision.SHARE else "not to share"
        words = f"Decided to {verb} {d.what} with {d.with_whom}: {d.rationale}"
        if not d.family_told:
            words += f" (family not told: {d.family_not_told_reason})"
        lines.append(
            _line(d.decided_at, d.decided_by, SHARING, words, {d.person_id} if d.person_id else set())
        )
    supervision = gm.SupervisorDecision.objects.filter(network=network).select_related("by")
    for s in supervision.order_by("at", "pk"):
        words = f"Supervisor decision: {s.decision}" + (f" Actions: {s.actions}" if s.actions else "")
        lines.append(_line(s.at, s.by, SUPERVISION, words, set()))
    lines += _action_lines(network)
    return lines


def _action_lines(network: rm.FamilyNetwork) -> list[Line]:
    """Each action agreed at supervision (what, who will do it, by when), on the
    day it was agreed, and its completion (by whom, with the note), on the day
    it was done (one query)."""
    lines: list[Line] = []
    actions = (
        gm.SupervisorAction.objects.filter(network=network)
        .select_related("decision__by", "owner", "completed_by")
        .order_by("decision__at", "pk")
    )
    for a in actions:
        agreed = f"Action agreed at supervision: {a.description} ({a.owner.username}, by {a.due:%-d %B %Y})"
        lines.append(_line(a.decision.at, a.decision.by, SUPERVISION, agreed, set()))
        if a.completed_at is not None:
            done = f"Action done: {a.description}" + (f": {a.completion_note}" if a.completion_note else "")
            lines.append(_line(a.completed_at, a.completed_by, SUPERVISION, done, set()))
    return lines


_GAP_VERBS = {
    EventKind.OPENED: "Gap raised",
    EventKind.REOPENED: "Gap raised again (no longer recorded)",
    EventKind.NA_AGREED: "A supervisor agreed this does not apply",
    EventKind.NA_REFUSED: "A supervisor did not agree this does not apply",
}


def _gap_lines(record: FamilyRecord, names: Names) -> list[Line]:
    """Gaps raised, asked (answered, declined, not known), not asked this
    time, answered (resolved) and the supervisor's agreement (one query);
    "shown at a contact" is left out: the contact and its answer say it."""
    carers = {c.id: c.carer_id for c in record.graph_network.care}
    events = (
        gm.GapEvent.objects.filter(gap__network=record.network)
        .exclude(kind=EventKind.PROMPTED)
        .select_related("gap", "contact", "by", "declined_by")
        .order_by("at", "pk")
    )
    lines = []
    for e in events:
        gap = e.gap
        rule = engine.rule(gap.rule_id)
        title = rule.title if rule else gap.rule_id
        pid = subject_person(gap, carers)
        who = frozenset({pid}) if pid is not None and pid in record.member_ids else frozenset()
        about = f"{title}" + (f" ({gap.subject_name})" if gap.subject_name else "")
        if e.kind == EventKind.ANSWERED:
            words = f"Asked: {about}: {answer_words(e)}"
        elif e.kind == EventKind.NOT_ASKED_THIS_TIME:
            words = f"{about}: {answer_words(e)}"
        elif e.kind == EventKind.RESOLVED:
            src = source_words(e.source, e.source_detail)
            words = f"Answered: {about}" + (f", {src}" if src else "")
        else:
            words = f"{_GAP_VERBS.get(EventKind(e.kind), e.kind)}: {about}"
            if e.kind == EventKind.NA_REFUSED and e.reason:
                words += f": {e.reason}"
        lines.append(Line(event_day(e), True, GAPS, words, who, e.at, _by(e.by)))
    return lines
