"""Writing a family's history into a family file (version 2): its gaps with
every step, its contacts, supervisors' decisions with their actions, and
decisions to share, in a fixed number of queries whatever the family's size.

Ids are ``g1``, ``c1``, ``d1``, ``s1``... in the order the records were made
(their database order), so export, import and export again gives the same
file. A gap whose subject is not in the file (a relationship to someone in a
network not exported) is left out, with its outcomes at contacts; a decision
about it keeps the decision and loses the link."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kinmap.core.rules.base import SubjectKind
from kinmap.gaps import models as gm
from kinmap.sharing.models import InformationRequest, SharingDecision

from .history_checks import BY_POSITION


@dataclass
class FileIds:
    """The file's ids of the records already written, by database id."""

    networks: Mapping[int, str]
    people: Mapping[int, str]
    households: Mapping[int, str]
    # position in the file's list, by database id, for each list of BY_POSITION
    positions: Mapping[str, Mapping[int, int]] = field(default_factory=dict)


def _moment(value: Any) -> str | None:
    from .export import _moment as moment

    return moment(value)


@dataclass
class HistoryRows:
    """The history of some family networks as loaded from the database."""

    gaps: list[gm.Gap]
    events: list[gm.GapEvent]
    contacts: list[gm.Contact]
    present: dict[int, list[int]]  # person ids by contact id
    seen: dict[int, list[int]]
    checks: list[gm.HouseholdConfirmation]
    outcomes: list[gm.ContactGapOutcome]
    decisions: list[gm.SupervisorDecision]
    actions: list[gm.SupervisorAction]
    sharing: list[SharingDecision]
    requests: list[InformationRequest]

    @property
    def user_ids(self) -> set[int]:
        """The users the history names, whose user names the file gives."""
        ids = {g.na_agreed_by_id for g in self.gaps} | {e.by_id for e in self.events}
        ids |= {c.practitioner_id for c in self.contacts} | {h.by_id for h in self.checks}
        ids |= {o.by_id for o in self.outcomes} | {d.by_id for d in self.decisions}
        ids |= {s.decided_by_id for s in self.sharing}
        ids |= {r.requested_by_id for r in self.requests} | {r.answered_by_id for r in self.requests}
        ids |= {a.owner_id for a in self.actions} | {a.completed_by_id for a in self.actions}
        return {i for i in ids if i is not None}


def history_load(network_ids: Sequence[int]) -> HistoryRows:
    """Load the history of these networks: eleven queries, whatever their size."""
    gaps = list(gm.Gap.objects.filter(network_id__in=network_ids).order_by("pk"))
    events = list(gm.GapEvent.objects.filter(gap__network_id__in=network_ids).order_by("gap_id", "at", "pk"))
    contacts = list(gm.Contact.objects.filter(network_id__in=network_ids).order_by("pk"))
    present: dict[int, list[int]] = {}
    for contact_id, person_id in gm.Contact.present.through.objects.filter(
        contact__network_id__in=network_ids
    ).values_list("contact_id", "person_id"):
        present.setdefault(contact_id, []).append(person_id)
    seen: dict[int, list[int]] = {}
    for contact_id, person_id in gm.Contact.seen_directly.through.objects.filter(
        contact__network_id__in=network_ids
    ).values_list("contact_id", "person_id"):
        seen.setdefault(contact_id, []).append(person_id)
    checks = list(gm.HouseholdConfirmation.objects.filter(contact__network_id__in=network_ids).order_by("pk"))
    outcomes = list(gm.ContactGapOutcome.objects.filter(contact__network_id__in=network_ids).order_by("pk"))
    decisions = list(gm.SupervisorDecision.objects.filter(network_id__in=network_ids).order_by("pk"))
    actions = list(gm.SupervisorAction.objects.filter(network_id__in=network_ids).order_by("pk"))
    sharing = list(SharingDecision.objects.filter(network_id__in=network_ids).order_by("pk"))
    requests = list(
        InformationRequest.objects.filter(network_id__in=network_ids)
        .select_related("requested_by_team__agency", "to_agency")
        .order_by("pk")
    )
    return HistoryRows(
        gaps, events, contacts, present, seen, checks, outcomes, decisions, actions, sharing, requests
    )


def history_out(
    loaded: HistoryRows, ids: FileIds, names: Mapping[int, str]
) -> dict[str, list[dict[str, Any]]]:
    """The history sections of the family file: ``gaps``, ``contacts``,
    ``supervisor_decisions`` and ``sharing_decisions`` (lists of JSON objects
    as :mod:`.history_schema` declares them), with ``names`` the user names of
    :attr:`HistoryRows.user_ids`. No queries."""
    gaps, events, contacts, checks, outcomes = (
        loaded.gaps,
        loaded.events,
        loaded.contacts,
        loaded.checks,
        loaded.outcomes,
    )
    decisions, actions, sharing, present, seen = (
        loaded.decisions,
        loaded.actions,
        loaded.sharing,
        loaded.present,
        loaded.seen,
    )

    def user(pk: int | None) -> str | None:
        return names.get(pk) if pk else None

    cid = {c.pk: f"c{i + 1}" for i, c in enumerate(contacts)}
    sid = {s.pk: f"s{i + 1}" for i, s in enumerate(sharing)}
    steps: dict[int, list[gm.GapEvent]] = {}
    for e in events:
        steps.setdefault(e.gap_id, []).append(e)
    # every gap that can be written gets its id first: a gap's subject may be another gap
    by_key = {(g.network_id, g.key): g for g in gaps}
    gid: dict[int, str] = {}
    step_ref: dict[int, str] = {}
    subjects: dict[int, str] = {}

    def subject(g: gm.Gap) -> str | None:
        kind, ref = SubjectKind(g.subject_kind), g.subject_id
        if kind is SubjectKind.GAP:
            other = by_key.get((g.network_id, ref))
            return gid.get(other.pk) if other is not None else None
        if kind is SubjectKind.DECLINE:
            return step_ref.get(int(ref)) if ref.isdigit() else None
        if not ref.isdigit():
            return None
        pk = int(ref)
        if kind in (SubjectKind.PERSON, SubjectKind.CHILD):
            return ids.people.get(pk)
        if kind is SubjectKind.HOUSEHOLD:
            return ids.households.get(pk)
        if kind is SubjectKind.NETWORK:
            return ids.networks.get(pk)
        if kind is SubjectKind.SHARING:
            return sid.get(pk)
        section = BY_POSITION[kind]
        at = ids.positions.get(section, {}).get(pk)
        return f"{section}[{at}]" if at is not None else None

    # A gap about another gap or a decline comes after it: three passes place them.
    for _ in range(3):
        for g in gaps:
            if g.pk in subjects:
                continue
            ref = subject(g)
            if ref is None:
                continue
            subjects[g.pk] = ref
    kept = [g for g in gaps if g.pk in subjects]
    gid = {g.pk: f"g{i + 1}" for i, g in enumerate(kept)}
    for g in kept:
        for j, e in enumerate(steps.get(g.pk, [])):
            step_ref[e.pk] = f"{gid[g.pk]}.events[{j}]"
    subjects = {}
    for _ in range(3):  # again, now that the ids are known
        for g in kept:
            if g.pk not in subjects and (ref := subject(g)) is not None:
                subjects[g.pk] = ref
    kept = [g for g in kept if g.pk in subjects]

    out_gaps = [
        {
            "id": gid[g.pk],
            "network": ids.networks[g.network_id],
            "rule": g.rule_id,
            "subject_kind": g.subject_kind,
            "subject": subjects[g.pk],
            "child": ids.people.get(g.child_id) if g.child_id else None,
            "subject_name": g.subject_name,
            "severity": g.severity,
            "state": g.state,
            "detail": g.detail,
            "missing": list(g.missing),
            "opened_at": _moment(g.opened_at),
            "open_since": g.open_since.isoformat() if g.open_since else None,
            "open_since_basis": g.open_since_basis or "not-known",
            "resolved_at": _moment(g.resolved_at),
            "times_prompted": g.times_prompted,
            "times_declined": g.times_declined,
            "reopened": g.reopened,
            "overnight_infant_until": g.overnight_infant_until.isoformat()
            if g.overnight_infant_until
            else None,
            "not_applicable": g.na_status,
            "not_applicable_reason": g.na_justification,
            "not_applicable_agreed_by": user(g.na_agreed_by_id),
            "not_applicable_agreed_at": _moment(g.na_agreed_at),
            "events": [
                {
                    "kind": e.kind,
                    "state": e.state,
                    "reason": e.reason,
                    "practitioner_view": e.practitioner_view,
                    "from_whom": e.from_whom,
                    "declined_by": ids.people.get(e.declined_by_id) if e.declined_by_id else None,
                    "source": e.source or None,
                    "source_detail": e.source_detail,
                    "contact": cid.get(e.contact_id) if e.contact_id else None,
                    "by": user(e.by_id),
                    "at": _moment(e.at),
                    "occurred_on": e.occurred_on.isoformat() if e.occurred_on else None,
                }
                for e in steps.get(g.pk, [])
            ],
        }
        for g in kept
    ]
    by_contact: dict[int, list[Any]] = {}
    for h in checks:
        by_contact.setdefault(h.contact_id, []).append(h)
    for o in outcomes:
        by_contact.setdefault(o.contact_id, []).append(o)
    out_contacts = []
    for c in contacts:
        rows = by_contact.get(c.pk, [])
        out_contacts.append(
            {
                "id": cid[c.pk],
                "network": ids.networks[c.network_id],
                "type": c.type,
                "date": c.date.isoformat(),
                "practitioner": user(c.practitioner_id),
                "present": _people(present.get(c.pk, []), ids),
                "seen_directly": _people(seen.get(c.pk, []), ids),
                "status": c.status,
                "opened_at": _moment(c.opened_at),
                "closed_at": _moment(c.closed_at),
                "household_checks": [
                    {
                        "household": ids.households[h.household_id],
                        "outcome": h.outcome,
                        "by": user(h.by_id),
                        "at": _moment(h.at),
                    }
                    for h in rows
                    if isinstance(h, gm.HouseholdConfirmation) and h.household_id in ids.households
                ],
                "outcomes": [
                    {
                        "gap": gid[o.gap_id],
                        "outcome": o.outcome,
                        "state": o.state,
                        "reason": o.reason,
                        "by": user(o.by_id),
                        "at": _moment(o.at),
                    }
                    for o in rows
                    if isinstance(o, gm.ContactGapOutcome) and o.gap_id in gid
                ],
            }
        )
    items: dict[int, list[gm.SupervisorAction]] = {}
    for a in actions:
        items.setdefault(a.decision_id, []).append(a)
    out_decisions = [
        {
            "id": f"d{i + 1}",
            "network": ids.networks[d.network_id],
            "gap": gid.get(d.gap_id) if d.gap_id else None,
            "decision": d.decision,
            "actions": d.actions,
            "agency_request_considered": d.agency_request_considered,
            "by": user(d.by_id),
            "at": _moment(d.at),
            "action_items": [
                {
                    "owner": user(a.owner_id),
                    "description": a.description,
                    "due": a.due.isoformat(),
                    "completed_by": user(a.completed_by_id),
                    "completed_at": _moment(a.completed_at),
                    "completion_note": a.completion_note,
                }
                for a in items.get(d.pk, [])
            ],
        }
        for i, d in enumerate(decisions)
    ]
    rid = {r.pk: f"r{i + 1}" for i, r in enumerate(loaded.requests)}
    out_requests = []
    for r in loaded.requests:
        raised_from = by_key.get((r.network_id, r.gap_key)) if r.gap_key else None
        out_requests.append(
            {
                "id": rid[r.pk],
                "network": ids.networks[r.network_id],
                "person": ids.people[r.person_id],
                "what": r.what,
                "gap": gid.get(raised_from.pk) if raised_from is not None else None,
                "requested_by": user(r.requested_by_id),
                "requested_by_agency": r.requested_by_team.agency.name,
                "requested_by_team": r.requested_by_team.name,
                "to_agency": r.to_agency.name,
                "lawful_basis": r.lawful_basis or None,
                "purpose": r.purpose,
                "urgency": r.urgency,
                "requested_at": _moment(r.requested_at),
                "due_on": r.due_on.isoformat(),
                "status": r.status,
                "answered_by": user(r.answered_by_id),
                "answered_at": _moment(r.answered_at),
                "outcome": r.outcome,
                "decline_reason": r.decline_reason,
            }
        )
    out_sharing = [
        {
            "id": sid[s.pk],
            "network": ids.networks[s.network_id],
            "person": ids.people.get(s.person_id) if s.person_id else None,
            "request": rid.get(s.request_id) if s.request_id else None,
            "decision": s.decision,
            "what": s.what,
            "with_whom": s.with_whom,
            "decided_by": user(s.decided_by_id),
            "decided_by_agency": s.decided_by_agency,
            "decided_at": _moment(s.decided_at),
            "lawful_basis": s.lawful_basis or None,
            "rationale": s.rationale,
            "family_told": s.family_told,
            "family_not_told_reason": s.family_not_told_reason,
        }
        for s in sharing
    ]
    return {
        "gaps": out_gaps,
        "contacts": out_contacts,
        "supervisor_decisions": out_decisions,
        "information_requests": out_requests,
        "sharing_decisions": out_sharing,
    }


def _people(person_ids: list[int], ids: FileIds) -> list[str]:
    return sorted((ids.people[p] for p in person_ids if p in ids.people), key=lambda x: (len(x), x))
