"""The checks of a family file that look across records: ids and references,
the teams, users and materials named (in the database), and the whole file
as the core validation sees it."""

from __future__ import annotations

import dataclasses

from django.db.models import Q
from django.utils import timezone

from kinmap.accounts.models import Team, User
from kinmap.carers import models as cm
from kinmap.core import model as core
from kinmap.core.responsibility import care_order_problems
from kinmap.core.validation import network_problems
from kinmap.core.vocab import (
    REL_BY_CODE,
    NameKind,
    PRBasis,
)
from kinmap.records.services.care import _core_care
from kinmap.records.services.data import _core_person

from .document import Issue
from .records import FamilyFile


def _check_references(ff: FamilyFile, issues: list[Issue]) -> None:
    """Ids are unique; every reference names a record in the file."""

    def unique(kind: str, ids: list[str], labels: list[str]) -> set[str]:
        seen: dict[str, int] = {}
        for i, x in enumerate(ids):
            if x in seen:
                issues.append(Issue(labels[i], "id", f'"{x}" is already used by {kind}[{seen[x]}]'))
            seen.setdefault(x, i)
        return set(seen)

    people = unique("people", [p.id for p in ff.people], [ff.person_label(i) for i in range(len(ff.people))])
    households = unique(
        "households",
        [h.id for h in ff.households],
        [f'households[{i}] (id "{h.id}")' for i, h in enumerate(ff.households)],
    )
    unique(
        "networks",
        [n.id for n in ff.networks],
        [f'networks[{i}] (id "{n.id}")' for i, n in enumerate(ff.networks)],
    )

    def person(where: str, key: str, value: str) -> None:
        if value not in people:
            issues.append(Issue(where, key, f'no person with id "{value}"'))

    in_a_network: set[str] = set()
    for i, n in enumerate(ff.networks):
        where = f'networks[{i}] (id "{n.id}")'
        seen: set[str] = set()
        for key, ids in (("index_children", n.index_children), ("other_members", n.other_members)):
            for j, pid in enumerate(ids):
                person(where, f"{key}[{j}]", pid)
                if pid in seen:
                    issues.append(Issue(where, f"{key}[{j}]", f'"{pid}" is listed twice in this network'))
                seen.add(pid)
        in_a_network |= seen
        teams = [(a.agency, a.team) for a in n.allocations]
        for j, t in enumerate(teams):
            if t in teams[:j]:
                issues.append(
                    Issue(where, f"allocations[{j}]", "this team is already allocated this network")
                )
    for i, p in enumerate(ff.people):
        if p.id not in in_a_network:
            issues.append(
                Issue(
                    ff.person_label(i), "", "is not in any family network: list them in a network's members"
                )
            )

    rel_seen: dict[tuple[str, str, str], int] = {}
    for i, r in enumerate(ff.relationships):
        where = f"relationships[{i}]"
        person(where, "from", r.from_id)
        person(where, "to", r.to_id)
        triple = (r.from_id, r.to_id, r.type)
        other = rel_seen.get(triple)
        if other is None and REL_BY_CODE[r.type].symmetric:
            other = rel_seen.get((r.to_id, r.from_id, r.type))
        if other is not None:
            issues.append(
                Issue(where, "type", f"this relationship is already in the file at relationships[{other}]")
            )
        rel_seen.setdefault(triple, i)

    referenced: set[str] = set()
    for i, res in enumerate(ff.residences):
        where = f"residences[{i}]"
        person(where, "person", res.person)
        if res.household not in households:
            issues.append(Issue(where, "household", f'no household with id "{res.household}"'))
        referenced.add(res.household)
    for i, h in enumerate(ff.households):
        if h.id not in referenced:
            issues.append(
                Issue(f'households[{i}] (id "{h.id}")', "", "nobody lives here: add a residence for it")
            )

    for i, c in enumerate(ff.care):
        person(f"care_arrangements[{i}]", "carer", c.carer)
        person(f"care_arrangements[{i}]", "child", c.child)

    for i, pr in enumerate(ff.pr):
        where = f"parental_responsibility[{i}]"
        person(where, "person", pr.person)
        person(where, "child", pr.child)
        if pr.person == pr.child:
            issues.append(
                Issue(where, "person", "a child cannot hold parental responsibility for themselves")
            )

    for i, co in enumerate(ff.care_orders):
        person(f"care_orders[{i}]", "child", co.child)

    members = {n.id: {*n.index_children, *n.other_members} for n in ff.networks}

    def member(where: str, network: str, person_id: str) -> None:
        if network not in members:
            issues.append(Issue(where, "network", f'no network with id "{network}"'))
        elif person_id in people and person_id not in members[network]:
            issues.append(Issue(where, "person", f'"{person_id}" is not a member of network "{network}"'))

    joints = unique(
        "joint_appointments", [j.id for j in ff.joint], [ff.joint_label(i) for i in range(len(ff.joint))]
    )
    joint_by_id = {j.id: j for j in ff.joint}
    for i, ja in enumerate(ff.joint):
        where = ff.joint_label(i)
        person(where, "person", ja.person)
        member(where, ja.network, ja.person)
        if ja.contact_on is not None and ja.invited_on is not None and ja.contact_on < ja.invited_on:
            issues.append(
                Issue(
                    where,
                    "contact_on",
                    "is before invited_on: the contact must be on or after the invitation",
                )
            )
    for i, info in enumerate(ff.information):
        where = f"information_given[{i}]"
        person(where, "person", info.person)
        member(where, info.network, info.person)
        if info.appointment:
            if info.appointment not in joints:
                issues.append(
                    Issue(where, "appointment", f'no joint appointment with id "{info.appointment}"')
                )
            elif joint_by_id[info.appointment].person != info.person:
                issues.append(Issue(where, "appointment", "that joint appointment is for someone else"))
            elif joint_by_id[info.appointment].network != info.network:
                issues.append(Issue(where, "appointment", "that joint appointment is in another network"))


def _check_database(ff: FamilyFile, issues: list[Issue]) -> None:
    """Every team and every user named exists."""
    names = {u for u, _, _ in ff._user_refs}
    known = (
        set(User.objects.filter(username__in=names).values_list("username", flat=True)) if names else set()
    )
    for username, where, key in ff._user_refs:
        if username not in known:
            issues.append(Issue(where, key, f'no user "{username}": add the user first, or change the name'))
    found = set()
    if ff._team_refs:
        found = set(Team.objects.filter(_teams_q(ff)).values_list("agency__name", "name"))
    for agency, team, where, key in ff._team_refs:
        if (agency, team) not in found:
            issues.append(Issue(where, key, f'no team "{team}" in agency "{agency}"'))
    codes = {info.material for info in ff.information}
    materials = (
        set(cm.Material.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
    )
    for i, info in enumerate(ff.information):
        if info.material and info.material not in materials:
            issues.append(
                Issue(f"information_given[{i}]", "material", f'no material with code "{info.material}"')
            )


def _teams_q(ff: FamilyFile) -> Q:
    q = Q(pk__in=[])
    for agency, team in {(a, t) for a, t, _, _ in ff._team_refs}:
        q |= Q(agency__name=agency, name=team)
    return q


def _core_network(ff: FamilyFile) -> core.Network:
    """The whole file as one core network; record ids are list positions + 1."""
    pid = {p.id: i + 1 for i, p in enumerate(ff.people)}
    hid = {h.id: i + 1 for i, h in enumerate(ff.households)}
    index = [pid[c] for n in ff.networks for c in n.index_children]
    return core.Network(
        id=0,
        name="family file",
        index_child_ids=tuple(dict.fromkeys(index)),
        people={
            i + 1: dataclasses.replace(
                _core_person(i + 1, p.data),
                other_names=tuple(core.OtherName(NameKind(k), g, f) for k, g, f in p.other_names),
            )
            for i, p in enumerate(ff.people)
        },
        relationships=tuple(
            core.Relationship(
                i + 1,
                pid[r.from_id],
                pid[r.to_id],
                r.type,
                r.start,
                r.end,
                None,
                r.legal_basis,
                **r.accuracy.core(),
            )
            for i, r in enumerate(ff.relationships)
        ),
        households={
            i + 1: core.Household(i + 1, h.address.address_line_1, masked=h.address.masked)
            for i, h in enumerate(ff.households)
        },
        residences=tuple(
            core.Residence(i + 1, pid[r.person], hid[r.household], r.start, r.end, **r.accuracy.core())
            for i, r in enumerate(ff.residences)
        ),
        care=tuple(_core_care(i + 1, pid[c.carer], pid[c.child], c.data) for i, c in enumerate(ff.care)),
        parental_responsibility=tuple(
            core.ParentalResponsibility(
                i + 1,
                pid[r.person],
                pid[r.child],
                PRBasis(r.basis),
                r.start,
                None,
                r.end,
                **r.accuracy.core(),
            )
            for i, r in enumerate(ff.pr)
        ),
    )


_CORE_RECORDS = {
    "relationship": "relationships",
    "residence": "residences",
    "care": "care_arrangements",
    "pr": "parental_responsibility",
}


def _check_core(ff: FamilyFile, issues: list[Issue]) -> None:
    """The checks every change to the record goes through, over the whole file."""
    for p in network_problems(_core_network(ff), timezone.localdate()):
        if p.record == "person":
            where = ff.person_label(p.record_id - 1)
        else:
            where = f"{_CORE_RECORDS.get(p.record, p.record)}[{p.record_id - 1}]"
        issues.append(Issue(where, p.field, p.message))
    net = _core_network(ff)
    pid = {p.id: i + 1 for i, p in enumerate(ff.people)}
    orders = [
        core.CareOrder(i + 1, pid[o.child], o.local_authority, o.start, o.end, None, **o.accuracy.core())
        for i, o in enumerate(ff.care_orders)
    ]
    for order in orders:
        for field, message in care_order_problems(order, orders, net.people[order.child_id]):
            issues.append(Issue(f"care_orders[{order.id - 1}]", field, message))
