"""Importing a family's history from a family file (:mod:`.history_schema`),
inside the import's transaction (:func:`.import_.family_file_import`), after
the family's records.

The history is written as the file gives it, not through the services that
record it at a contact: those check what a practitioner may do now, while
the file carries what was done, when and by whom, in another system. So:

- each record keeps the times the file gives (when it happened) and
  ``imported_at``, the time of the import;
- each is attributed to the user the file names, who must be a kinmap user
  (the file's check refuses a name that is not; no user is invented and
  nothing is attributed to the person importing);
- the incomplete states the pages refuse are kept as they are (a decline
  with no practitioner's view, a sharing decision with no lawful basis), and
  the information requirements run over the family afterwards
  (:func:`kinmap.gaps.services.gaps_recompute`), so requirements 13 and 16
  report them as gaps;
- the gaps the engine opened (and often resolved) while the import recorded
  the family one record at a time are the import's own working, not the
  family's history: the file's gaps replace them all, and the requirements
  then run once over the whole family (a gap they find that the file does
  not have is opened then, at the import's time).

One ``create`` audit event per family network records what was imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kinmap.accounts.models import Agency, Team, User
from kinmap.audit.services import audit_record
from kinmap.core.rules.base import SubjectKind
from kinmap.gaps import models as gm
from kinmap.gaps.summaries import gap_summaries_refresh
from kinmap.records import models as m
from kinmap.sharing.models import InformationRequest, SharingDecision

from .document import FamilyFileError, Issue
from .history_checks import BY_POSITION, history_label
from .history_schema import GapRecord
from .records import FamilyFile


@dataclass(frozen=True)
class Imported:
    """The database rows the import made for the file's records."""

    networks: Mapping[str, m.FamilyNetwork]
    people: Mapping[str, m.Person]
    households: Mapping[str, m.Household]
    # for each list of BY_POSITION: the database id of the record at each position
    positions: Mapping[str, Mapping[int, int]]


def history_import(
    ff: FamilyFile, *, actor: User | None, made: Imported, users: Mapping[str, User], now: datetime
) -> dict[str, int]:
    """Write the history of ``ff`` for the records in ``made``; raise
    :class:`FamilyFileError` naming the place in the file of a reference the
    import cannot follow (a record that was already in kinmap, so not made
    again). Returns the counts written, by section."""
    contacts: dict[str, gm.Contact] = {}
    for c in ff.contacts:
        row = gm.Contact.objects.create(
            network=made.networks[c.network],
            type=c.type,
            date=c.date,
            practitioner=users[c.practitioner],
            status=c.status,
            opened_at=c.opened_at,
            closed_at=c.closed_at,
            imported_at=now,
        )
        row.present.set([made.people[p] for p in c.present])
        row.seen_directly.set([made.people[p] for p in c.seen_directly])
        contacts[c.id] = row
    sharing: dict[str, SharingDecision] = {}
    for s in ff.sharing_decisions:
        sharing[s.id] = SharingDecision.objects.create(
            network=made.networks[s.network],
            person=made.people[s.person] if s.person else None,
            decision=s.decision,
            what=s.what_,
            with_whom=s.with_whom,
            decided_by=users[s.decided_by],
            decided_by_agency=s.decided_by_agency,
            decided_at=s.decided_at,
            lawful_basis=s.lawful_basis,
            rationale=s.rationale,
            family_told=s.family_told,
            family_not_told_reason="" if s.family_told else s.family_not_told_reason,
            imported_at=now,
        )
    gaps = _gaps_import(ff, made, users, contacts, sharing, now)
    _requests_import(ff, made, users, gaps, sharing)
    for c_in in ff.contacts:
        contact = contacts[c_in.id]
        gm.HouseholdConfirmation.objects.bulk_create(
            gm.HouseholdConfirmation(
                contact=contact,
                household=_household(made, h.household, ff, c_in.id, j),
                outcome=h.outcome,
                by=users[h.by],
                at=h.at,
            )
            for j, h in enumerate(c_in.household_checks)
        )
        gm.ContactGapOutcome.objects.bulk_create(
            gm.ContactGapOutcome(
                contact=contact,
                gap=gaps[o.gap],
                outcome=o.outcome,
                state=o.state,
                reason=o.reason,
                by=users.get(o.by),
                at=o.at,
            )
            for o in c_in.outcomes
        )
    for d in ff.supervisor_decisions:
        decision = gm.SupervisorDecision.objects.create(
            network=made.networks[d.network],
            gap=gaps[d.gap] if d.gap else None,
            decision=d.decision,
            actions=d.actions,
            agency_request_considered=d.agency_request_considered,
            by=users[d.by],
            at=d.at,
            imported_at=now,
        )
        gm.SupervisorAction.objects.bulk_create(
            gm.SupervisorAction(
                decision=decision,
                network=decision.network,
                owner=users[a.owner],
                description=a.description,
                due=a.due,
                completed_by=users.get(a.completed_by),
                completed_at=a.completed_at,
                completion_note=a.completion_note,
            )
            for a in d.action_items
        )
    counts: dict[str, dict[str, int]] = {}
    for section, records in (
        ("gaps", ff.gaps),
        ("contacts", ff.contacts),
        ("supervisor_decisions", ff.supervisor_decisions),
        ("information_requests", ff.information_requests),
        ("sharing_decisions", ff.sharing_decisions),
    ):
        for r in records:
            per = counts.setdefault(r.network, {})
            per[section] = per.get(section, 0) + 1
    for nid, per in counts.items():
        network = made.networks[nid]
        audit_record(
            actor=actor,
            action="create",
            object_type="family_history",
            object_id=network.pk,
            network_id=network.pk,
            changes={k: [None, v] for k, v in sorted(per.items())},
            reason="imported from a family file",
        )
    return {
        "gaps": len(ff.gaps),
        "contacts": len(ff.contacts),
        "supervisor_decisions": len(ff.supervisor_decisions),
        "information_requests": len(ff.information_requests),
        "sharing_decisions": len(ff.sharing_decisions),
    }


def _requests_import(
    ff: FamilyFile,
    made: Imported,
    users: Mapping[str, User],
    gaps: Mapping[str, gm.Gap],
    sharing: Mapping[str, SharingDecision],
) -> None:
    """The information requests (raised from a gap: its key), and the sharing
    decisions made on them."""
    if not ff.information_requests:
        return
    wanted = {(r.requested_by_agency, r.requested_by_team) for r in ff.information_requests}
    teams = {
        (t.agency.name, t.name): t
        for t in Team.objects.select_related("agency").filter(name__in={t for _, t in wanted})
    }
    agencies = {
        a.name: a for a in Agency.objects.filter(name__in={r.to_agency for r in ff.information_requests})
    }
    requests: dict[str, InformationRequest] = {}
    for r in ff.information_requests:
        requests[r.id] = InformationRequest.objects.create(
            network=made.networks[r.network],
            person=made.people[r.person],
            what=r.what_,
            gap_key=gaps[r.gap].key if r.gap else "",
            requested_by=users[r.requested_by],
            requested_by_team=teams[(r.requested_by_agency, r.requested_by_team)],
            to_agency=agencies[r.to_agency],
            lawful_basis=r.lawful_basis,
            purpose=r.purpose,
            urgency=r.urgency,
            requested_at=r.requested_at,
            due_on=r.due_on,
            status=r.status,
            answered_by=users.get(r.answered_by),
            answered_at=r.answered_at,
            outcome=r.outcome,
            decline_reason=r.decline_reason,
        )
    for s in ff.sharing_decisions:
        if s.request:
            SharingDecision.objects.filter(pk=sharing[s.id].pk).update(request=requests[s.request])


def _household(made: Imported, hid: str, ff: FamilyFile, contact_id: str, j: int) -> m.Household:
    if hid not in made.households:
        index = next(i for i, c in enumerate(ff.contacts) if c.id == contact_id)
        raise FamilyFileError(
            [
                Issue(
                    history_label("contacts", index, contact_id),
                    f"household_checks[{j}].household",
                    f'household "{hid}" was already in kinmap, so the import did not make it again',
                )
            ]
        )
    return made.households[hid]


def _declined(step: Any) -> bool:
    """Whether a gap's step in the file is a decline (an answer "asked, declined")."""
    return bool(step.kind == gm.EventKind.ANSWERED and step.state == gm.GapState.ASKED_DECLINED)


def _gaps_import(
    ff: FamilyFile,
    made: Imported,
    users: Mapping[str, User],
    contacts: Mapping[str, gm.Contact],
    sharing: Mapping[str, SharingDecision],
    now: datetime,
) -> dict[str, gm.Gap]:
    """Replace the gaps the engine opened during the import with the file's,
    and their steps; then give each gap its key (which names its subject by
    database id: a decline's subject is a step, so the steps come first)."""
    gm.Gap.objects.filter(network__in=list(made.networks.values())).delete()
    rows: dict[str, gm.Gap] = {}
    for g in ff.gaps:
        rows[g.id] = gm.Gap.objects.create(
            network=made.networks[g.network],
            key=f"import:{g.id}",  # until the subjects have their ids, below
            rule_id=g.rule,
            subject_kind=g.subject_kind,
            subject_id="",
            child_id=made.people[g.child].pk if g.child else None,
            subject_name=g.subject_name,
            severity=g.severity,
            state=g.state,
            detail=g.detail,
            missing=list(g.missing),
            opened_at=g.opened_at,
            # a file from before "open since" was kept: the day it was raised
            open_since=g.open_since or g.opened_at.date(),
            open_since_basis=g.open_since_basis,
            resolved_at=g.resolved_at,
            times_prompted=g.times_prompted,
            # at least its declines in the file: the supervision page finds
            # a family's declines through its gaps ever declined
            times_declined=max(g.times_declined, sum(_declined(e) for e in g.events)),
            reopened=g.reopened,
            overnight_infant_until=g.overnight_infant_until,
            na_status=g.not_applicable,
            na_justification=g.not_applicable_reason,
            na_agreed_by=users.get(g.not_applicable_agreed_by),
            na_agreed_at=g.not_applicable_agreed_at,
            imported_at=now,
        )
    steps: dict[str, list[gm.GapEvent]] = {}
    for g in ff.gaps:
        steps[g.id] = gm.GapEvent.objects.bulk_create(
            gm.GapEvent(
                gap=rows[g.id],
                kind=e.kind,
                state=e.state,
                reason=e.reason,
                practitioner_view=e.practitioner_view,
                from_whom=e.from_whom,
                declined_by=made.people[e.declined_by] if e.declined_by else None,
                source=e.source,
                source_detail=e.source_detail,
                contact=contacts[e.contact] if e.contact else None,
                by=users.get(e.by),
                at=e.at,
                occurred_on=e.occurred_on,
            )
            for e in g.events
        )
    by_id = {g.id: (i, g) for i, g in enumerate(ff.gaps)}
    keys: dict[str, str] = {}
    sids: dict[str, str] = {}

    def key_of(gid: str, seen: tuple[str, ...]) -> str:
        if gid in keys:
            return keys[gid]
        i, g = by_id[gid]
        where = history_label("gaps", i, gid)
        if gid in seen:
            raise FamilyFileError([Issue(where, "subject", "gaps about each other in a circle")])
        sid = _subject_id(g, made, steps, sharing, where, lambda other: key_of(other, (*seen, gid)))
        child = f":{made.people[g.child].pk}" if g.child else ""
        sids[gid], keys[gid] = sid, f"{g.rule}:{g.subject_kind}:{sid}{child}"
        return keys[gid]

    for g in ff.gaps:
        key_of(g.id, ())
    for g in ff.gaps:
        row = rows[g.id]
        row.key, row.subject_id = keys[g.id], sids[g.id]
        row.save(update_fields=["key", "subject_id"])
    # the worklists read each family's summary of its gaps (kinmap.gaps.summaries)
    gap_summaries_refresh(network_ids=[n.pk for n in made.networks.values()])
    return rows


def _subject_id(
    g: GapRecord,
    made: Imported,
    steps: Mapping[str, list[gm.GapEvent]],
    sharing: Mapping[str, SharingDecision],
    where: str,
    gap_key: Any,
) -> str:
    kind, ref = SubjectKind(g.subject_kind), g.subject

    def unmade(what: str) -> FamilyFileError:
        return FamilyFileError(
            [Issue(where, "subject", f"{what} was already in kinmap, so the import did not make it again")]
        )

    if kind in (SubjectKind.PERSON, SubjectKind.CHILD):
        return str(made.people[ref].pk)
    if kind is SubjectKind.HOUSEHOLD:
        if ref not in made.households:
            raise unmade(f'household "{ref}"')
        return str(made.households[ref].pk)
    if kind is SubjectKind.NETWORK:
        return str(made.networks[ref].pk)
    if kind is SubjectKind.SHARING:
        return str(sharing[ref].pk)
    if kind is SubjectKind.GAP:
        return str(gap_key(ref))
    if kind is SubjectKind.DECLINE:
        other, _, index = ref.partition(".events[")
        return str(steps[other][int(index.rstrip("]"))].pk)
    section = BY_POSITION[kind]
    position = int(ref.removeprefix(section).strip("[]"))
    pk = made.positions.get(section, {}).get(position)
    if pk is None:
        raise unmade(ref)
    return str(pk)
