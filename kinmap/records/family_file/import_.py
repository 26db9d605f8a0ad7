"""Importing a family file read by :func:`.read.family_file_read`: all or
nothing, in one transaction, through the record services."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kinmap.accounts.models import Team, User
from kinmap.audit.services import audit_record
from kinmap.carers import models as cm
from kinmap.carers import services as cs
from kinmap.core.vocab import (
    InvitationOutcome,
)
from kinmap.gaps.services import gaps_recompute
from kinmap.gaps.team_counts import team_counts_touch
from kinmap.matching.imports import import_matches
from kinmap.matching.services import person_link, possible_match_record
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.care_orders import care_order_set
from kinmap.records.errors import RecordError
from kinmap.records.services.common import _touch

from .checks import _check_database, _teams_q
from .document import FamilyFileError, Issue
from .history_import import Imported, history_import
from .records import FamilyFile, Prov

# -- importing -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    networks: list[m.FamilyNetwork]
    network_ids: dict[str, int]  # file id -> database id
    people: dict[str, m.Person]  # file id -> person
    counts: dict[str, int]
    members: dict[int, int]  # network database id -> number of people in it


class _ImportStep(Exception):
    """A service refused one record; carries where it was in the file."""

    def __init__(self, where: str, err: RecordError) -> None:
        self.where, self.err = where, err


def family_file_import(
    *, family_file: FamilyFile, actor: User | None, file_name: str, sha256: str = "", reason: str = ""
) -> ImportResult:
    """Load a family file read by :func:`family_file_read`: all or nothing.

    Runs in one transaction. Each record goes through its records service (so
    the core validations apply and each change is audited); a refusal names the
    file record at fault, undoes everything, and raises
    :class:`FamilyFileError`. Provenance (who recorded each fact, and when) is
    kept as the file gives it. One ``import`` audit event records the file and
    ``reason``."""
    ff = family_file
    try:
        with transaction.atomic():
            issues: list[Issue] = []
            _check_database(ff, issues)  # again, in the transaction: a team may have gone since
            if issues:
                raise FamilyFileError(issues)
            return _import(ff, actor, file_name, sha256, reason.strip())
    except _ImportStep as step:
        raise FamilyFileError(
            [Issue(step.where, _FILE_FIELDS.get(p.field, p.field), p.message) for p in step.err.problems]
        ) from None


# A service's name for a field, where the file's name differs.
_FILE_FIELDS = {"__all__": "", "materials": "material", "note": "outcome_note"}


def _stamp_update(model: type[Any], pk: int, prov: Prov, users: Mapping[str, User], **extra: Any) -> None:
    values = {
        "source": prov.source,
        "source_detail": prov.detail,
        "recorded_by": users.get(prov.recorded_by),
        "recorded_at": prov.recorded_at,
        **extra,
    }
    model.objects.filter(pk=pk).update(**values)
    _history_stamp(model.history.filter(id=pk), prov.recorded_at, values["recorded_by"], **values)


def _history_stamp(rows: Any, at: datetime | None, by: User | None, **values: Any) -> None:
    """Date the history rows the import wrote for a record (its record time)
    as the file records it: when and by whom it was first recorded; without a
    time in the file, the import's own time and user stay."""
    stamp = {"history_date": at, "history_user": by} if at is not None else {}
    rows.update(**stamp, **values)


def _import(ff: FamilyFile, actor: User | None, file_name: str, sha256: str, reason: str) -> ImportResult:
    svc_actor = cast(User, actor)  # services accept no actor (the system) at run time
    usernames = {u for u, _, _ in ff._user_refs}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)} if usernames else {}
    teams = {(t.agency.name, t.name): t for t in Team.objects.filter(_teams_q(ff)).select_related("agency")}

    networks: dict[str, m.FamilyNetwork] = {}
    member_of: dict[str, list[str]] = {}
    for n in ff.networks:
        network = m.FamilyNetwork.objects.create(name=n.name, created_by=actor)
        networks[n.id] = network
        audit_record(
            actor=actor,
            action="create",
            object_type="network",
            object_id=network.pk,
            network_id=network.pk,
            changes={"name": [None, n.name]},
            reason=f"imported from {file_name}",
        )
        for a in n.allocations:
            team = teams[(a.agency, a.team)]
            alloc = m.Allocation.objects.create(network=network, team=team, start=a.start, end=a.end)
            team_counts_touch(team_ids=[team.pk])
            audit_record(
                actor=actor,
                action="create",
                object_type="allocation",
                object_id=alloc.pk,
                network_id=network.pk,
                changes={"team": [None, str(team)], "start": [None, a.start], "end": [None, a.end]},
            )
        for pid in [*n.index_children, *n.other_members]:
            member_of.setdefault(pid, []).append(n.id)
    index_in = {(n.id, c) for n in ff.networks for c in n.index_children}

    def first_network(*pids: str) -> m.FamilyNetwork:
        for n in ff.networks:
            if all(n.id in member_of[p] for p in pids):
                return networks[n.id]
        return networks[member_of[pids[-1]][0]]

    people: dict[str, m.Person] = {}
    linked: list[int] = []
    matches = import_matches(
        [(p.id, p.data, p.other_names) for p in ff.people],
        [(r.from_id, r.to_id, r.type) for r in ff.relationships],
    )
    for i, p in enumerate(ff.people):
        where = ff.person_label(i)
        home, *others = member_of[p.id]
        network = networks[home]
        try:
            found = matches[p.id]
            if found.certain is not None:
                # already on the record: linked, and their record left as it is
                person = m.Person.objects.get(pk=found.certain.person_id)
                linked.append(person.pk)
                person_link(
                    actor=actor,
                    network=network,
                    person=person,
                    score=found.certain.score,
                    as_index=(home, p.id) in index_in,
                )
                for other in others:
                    _member_add(actor, networks[other], person, is_index=(other, p.id) in index_in)
                people[p.id] = person
                continue
            person = s.person_add(
                actor=svc_actor, network=network, data=p.data, as_index=(home, p.id) in index_in
            )
            for cand in found.possible:
                possible_match_record(
                    actor=actor,
                    person=person,
                    candidate=cand,
                    network_id=network.pk,
                    reason=f"imported from {file_name}",
                )
            for kind, given, family in p.other_names:
                s.other_name_add(
                    actor=svc_actor,
                    network=network,
                    person=person,
                    kind=kind,
                    given_name=given,
                    family_name=family,
                )
            for key, fact in p.facts.items():
                row = s.fact_set(
                    actor=svc_actor,
                    network=network,
                    person=person,
                    key=key,
                    value=fact.value,
                    expected_version=None,  # a person the file creates has no answers yet
                    source=s.Source_(fact.provenance.source, fact.provenance.detail),
                )
                _stamp_update(m.PersonFact, row.pk, fact.provenance, users)
        except RecordError as err:
            raise _ImportStep(where, err) from None
        prov = {
            f: {
                "source": v.source,
                "detail": v.detail,
                "by": v.recorded_by,
                "at": v.recorded_at.isoformat() if v.recorded_at else "",
            }
            for f, v in p.provenance.items()
        }
        m.Person.objects.filter(pk=person.pk).update(provenance=prov)
        stamped = sorted((v.recorded_at, v.recorded_by) for v in p.provenance.values() if v.recorded_at)
        when, by = (stamped[0][0], users.get(stamped[0][1])) if stamped else (None, None)
        _history_stamp(m.Person.history.filter(id=person.pk), when, by, provenance=prov)
        for other in others:
            _member_add(actor, networks[other], person, is_index=(other, p.id) in index_in)
        _history_stamp(m.NetworkMember.history.filter(person_id=person.pk), when, by)
        people[p.id] = person

    where = ""
    positions: dict[str, dict[int, int]] = {
        "relationships": {},
        "residences": {},
        "care_arrangements": {},
        "parental_responsibility": {},
        "care_orders": {},
    }
    households: dict[str, m.Household] = {}
    # the households of people already on the record, for the history's steps
    # about them (a stay is not recorded again, so no household is made)
    known_households: dict[str, m.Household] = {}
    try:
        for i, r in enumerate(ff.relationships):
            where = f"relationships[{i}]"
            already = _already_related(people[r.from_id], people[r.to_id], r.type, linked)
            if already is not None:
                # the history's steps about it are about the record already there
                positions["relationships"][i] = already
                continue
            rel = s.relationship_create(
                actor=svc_actor,
                network=first_network(r.from_id, r.to_id),
                from_person=people[r.from_id],
                to_person=people[r.to_id],
                data=s.RelationshipData(
                    r.type, r.start, r.end, r.legal_basis, **dataclasses.asdict(r.accuracy)
                ),
                source=s.Source_(r.provenance.source, r.provenance.detail),
            )
            _stamp_update(m.Relationship, rel.pk, r.provenance, users)
            positions["relationships"][i] = rel.pk

        hh = {h.id: h for h in ff.households}
        for i, res in enumerate(ff.residences):
            where = f"residences[{i}]"
            if people[res.person].pk in linked:
                # where someone already on the record lives is already recorded:
                # the history's steps about this stay are about that record
                stays = m.Residence.objects.filter(person=people[res.person]).order_by("pk")
                stay_there = stays.filter(start=res.start).first() or stays.first()
                if stay_there is not None:
                    positions["residences"][i] = stay_there.pk
                    known_households.setdefault(res.household, stay_there.household)
                continue
            existing = households.get(res.household)
            stay = s.residence_create(
                actor=svc_actor,
                network=first_network(res.person),
                person=people[res.person],
                household=existing,
                address=None if existing else hh[res.household].address,
                start=res.start,
                end=res.end,
                source=s.Source_(res.provenance.source, res.provenance.detail),
                accuracy=res.accuracy,
            )
            _stamp_update(m.Residence, stay.pk, res.provenance, users)
            positions["residences"][i] = stay.pk
            if existing is None:
                households[res.household] = stay.household
                _stamp_update(m.Household, stay.household_id, hh[res.household].provenance, users)

        for i, c in enumerate(ff.care):
            where = f"care_arrangements[{i}]"
            if {people[c.carer].pk, people[c.child].pk} <= set(linked) and (
                there := m.CareArrangement.objects.filter(carer=people[c.carer], child=people[c.child])
                .order_by("pk")
                .first()
            ):
                positions["care_arrangements"][i] = there.pk
                continue
            care = s.care_create(
                actor=svc_actor,
                network=first_network(c.child),
                carer=people[c.carer],
                child=people[c.child],
                data=c.data,
                source=s.Source_(c.provenance.source, c.provenance.detail),
            )
            _stamp_update(m.CareArrangement, care.pk, c.provenance, users)
            positions["care_arrangements"][i] = care.pk

        for i, pr in enumerate(ff.pr):
            where = f"parental_responsibility[{i}]"
            if {people[pr.person].pk, people[pr.child].pk} <= set(linked) and (
                held := m.ParentalResponsibility.objects.filter(
                    person=people[pr.person], child=people[pr.child]
                )
                .order_by("pk")
                .first()
            ):
                positions["parental_responsibility"][i] = held.pk
                continue  # already recorded for these two
            row_pr = s.pr_set(
                actor=svc_actor,
                network=first_network(pr.child),
                person=people[pr.person],
                child=people[pr.child],
                basis=pr.basis,
                start=pr.start,
                end=pr.end,
                source=s.Source_(pr.provenance.source, pr.provenance.detail),
                accuracy=pr.accuracy,
            )
            _stamp_update(m.ParentalResponsibility, row_pr.pk, pr.provenance, users)
            positions["parental_responsibility"][i] = row_pr.pk

        for i, co in enumerate(ff.care_orders):
            where = f"care_orders[{i}]"
            if people[co.child].pk in linked and (
                order := m.ParentalResponsibility.objects.filter(
                    person__isnull=True, child=people[co.child], start=co.start
                )
                .order_by("pk")
                .first()
            ):
                positions["care_orders"][i] = order.pk
                continue  # already recorded for this child
            row_order = care_order_set(
                actor=svc_actor,
                network=first_network(co.child),
                child=people[co.child],
                local_authority=co.local_authority,
                start=co.start,
                end=co.end,
                source=s.Source_(co.provenance.source, co.provenance.detail),
                accuracy=co.accuracy,
            )
            _stamp_update(m.ParentalResponsibility, row_order.pk, co.provenance, users)
            positions["care_orders"][i] = row_order.pk

        appointments: dict[str, cm.JointAppointment] = {}
        for i, j in enumerate(ff.joint):
            where = ff.joint_label(i)
            network, person = networks[j.network], people[j.person]
            if (
                person.pk in linked
                and j.contact_on is not None
                and (
                    known := cm.JointAppointment.objects.filter(
                        network=network, person=person, contact_on=j.contact_on, contact_type=j.contact_type
                    ).first()
                )
            ):
                # already recorded in this network for someone already on the record (an
                # appointment belongs to its network: another network's is not this one's)
                appointments[j.id] = known
                continue
            appointment = cs.joint_appointment_invite(
                actor=svc_actor,
                network=network,
                person=person,
                contact_on=j.contact_on,
                contact_type=j.contact_type,
                invited_on=j.invited_on,
            )
            if j.outcome != InvitationOutcome.PENDING:
                appointment = cs.joint_appointment_outcome_record(
                    actor=svc_actor,
                    network=network,
                    appointment=appointment,
                    outcome=j.outcome,
                    expected_version=appointment.version,
                    note=j.outcome_note,
                )
            cm.JointAppointment.objects.filter(pk=appointment.pk).update(invited_by=users.get(j.invited_by))
            appointments[j.id] = appointment

        materials = {
            x.code: x for x in cm.Material.objects.filter(code__in={i.material for i in ff.information})
        }
        for i, info in enumerate(ff.information):
            where = f"information_given[{i}]"
            (info_row,) = cs.information_given_record(
                actor=svc_actor,
                network=networks[info.network],
                person=people[info.person],
                data=cs.InformationData(
                    materials=(materials[info.material],),
                    how=info.how,
                    given_on=info.given_on,
                    declined=info.declined,
                    declined_reason=info.declined_reason,
                ),
                appointment=appointments.get(info.appointment),
                withdrawn_ok=True,
            )
            cm.InformationGiven.objects.filter(pk=info_row.pk).update(given_by=users.get(info.given_by))
    except RecordError as err:
        raise _ImportStep(where, err) from None

    if ff.gaps or ff.contacts or ff.supervisor_decisions or ff.sharing_decisions:
        made = Imported(networks, people, {**known_households, **households}, positions)
        history_import(ff, actor=actor, made=made, users=users, now=timezone.now())
        for network in networks.values():
            # the requirements about the imported history (13 and 16: incomplete
            # declines and sharing decisions) are checked now it is all there
            gaps_recompute(network=network, actor=actor)

    counts = ff.counts()
    audit_record(
        actor=actor,
        action="import",
        object_type="family_file",
        object_id=sha256,
        changes={
            "file": [None, file_name],
            "network_ids": [None, [nw.pk for nw in networks.values()]],
            **{k: [None, v] for k, v in counts.items()},
            **({"linked_people": [None, linked]} if linked else {}),
        },
        reason=reason,
    )
    members = {networks[n.id].pk: len(n.index_children) + len(n.other_members) for n in ff.networks}
    return ImportResult(
        networks=list(networks.values()),
        network_ids={k: nw.pk for k, nw in networks.items()},
        people=people,
        counts=counts,
        members=members,
    )


def _already_related(a: m.Person, b: m.Person, type_: str, linked: list[int]) -> int | None:
    """The id of the relationship two people the load linked (already on the
    record) already have, either way round (then it is not recorded again), or
    None."""
    if a.pk not in linked or b.pk not in linked:
        return None
    either = Q(from_person=a, to_person=b) | Q(from_person=b, to_person=a)
    return (
        m.Relationship.objects.filter(either, type=type_).order_by("pk").values_list("pk", flat=True).first()
    )


def _member_add(actor: User | None, network: m.FamilyNetwork, person: m.Person, *, is_index: bool) -> None:
    """Add a person already on the record to another family network."""
    m.NetworkMember.objects.create(network=network, person=person, is_index=is_index)
    audit_record(
        actor=actor,
        action="create",
        object_type="network_member",
        object_id=person.pk,
        network_id=network.pk,
        changes={"person": [None, person.pk], "is_index": [None, is_index]},
    )
    _touch(network, actor)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
