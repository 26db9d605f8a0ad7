"""The checks of a family's history in a family file that look across records
(:mod:`.history_schema`): ids unique, every reference naming a record of the
file in the same family network, a gap's subject resolving to what its kind
says, and one gap per requirement and subject. Also the user names the
history gives (checked against the database with the rest of the file's) and
moving its dates with the rest of the file."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from kinmap.accounts.models import Agency
from kinmap.core.rules.base import SubjectKind
from kinmap.gaps.models import EventKind, GapState

from .document import Issue
from .records import FamilyFile

# A subject of each kind, as the file refers to it: the list it names a record
# of (by id), or the list whose position it gives (records without ids).
_BY_ID = {
    SubjectKind.PERSON: "people",
    SubjectKind.CHILD: "people",
    SubjectKind.HOUSEHOLD: "households",
    SubjectKind.NETWORK: "networks",
    SubjectKind.SHARING: "sharing_decisions",
    SubjectKind.GAP: "gaps",
}
BY_POSITION = {
    SubjectKind.RELATIONSHIP: "relationships",
    SubjectKind.CARE: "care_arrangements",
    SubjectKind.RESIDENCE: "residences",
    SubjectKind.RESPONSIBILITY: "parental_responsibility",
    SubjectKind.CARE_ORDER: "care_orders",
}
_NAMED = {
    "people": "person",
    "households": "household",
    "networks": "network",
    "sharing_decisions": "sharing decision",
    "gaps": "other gap",
}
_POSITION = re.compile(r"([a-z_]+)\[(\d+)\]")
_STEP = re.compile(r"(.+)\.events\[(\d+)\]")


def history_label(section: str, index: int, record_id: str) -> str:
    """``gaps[2] (id "g3")``: where a record of the history is in the file."""
    return f'{section}[{index}] (id "{record_id}")'


def history_user_refs(ff: FamilyFile) -> None:
    """Note every user name the history gives, for the database check (a user
    named must exist in kinmap, as everywhere in the file)."""

    def user(name: str, where: str, field: str) -> None:
        if name:
            ff._user_refs.append((name, where, field))

    for i, g in enumerate(ff.gaps):
        where = history_label("gaps", i, g.id)
        user(g.not_applicable_agreed_by, where, "not_applicable_agreed_by")
        for j, e in enumerate(g.events):
            user(e.by, where, f"events[{j}].by")
    for i, c in enumerate(ff.contacts):
        where = history_label("contacts", i, c.id)
        user(c.practitioner, where, "practitioner")
        for j, h in enumerate(c.household_checks):
            user(h.by, where, f"household_checks[{j}].by")
        for j, o in enumerate(c.outcomes):
            user(o.by, where, f"outcomes[{j}].by")
    for i, d in enumerate(ff.supervisor_decisions):
        where = history_label("supervisor_decisions", i, d.id)
        user(d.by, where, "by")
        for j, a in enumerate(d.action_items):
            user(a.owner, where, f"action_items[{j}].owner")
            user(a.completed_by, where, f"action_items[{j}].completed_by")
    for i, r in enumerate(ff.information_requests):
        where = history_label("information_requests", i, r.id)
        user(r.requested_by, where, "requested_by")
        user(r.answered_by, where, "answered_by")
        ff._team_refs.append((r.requested_by_agency, r.requested_by_team, where, "requested_by_team"))
    for i, s in enumerate(ff.sharing_decisions):
        user(s.decided_by, history_label("sharing_decisions", i, s.id), "decided_by")


def history_check_database(ff: FamilyFile, issues: list[Issue]) -> None:
    """Every agency an information request was sent to exists (the requesting
    team and the users are checked with the rest of the file's)."""
    names = {r.to_agency for r in ff.information_requests}
    known = set(Agency.objects.filter(name__in=names).values_list("name", flat=True)) if names else set()
    for i, r in enumerate(ff.information_requests):
        if r.to_agency not in known:
            where = history_label("information_requests", i, r.id)
            issues.append(Issue(where, "to_agency", f'no agency "{r.to_agency}"'))


def history_check_references(ff: FamilyFile, issues: list[Issue]) -> None:
    """Ids are unique in each list of the history; every person, household,
    contact, gap and network it names is in the file, and in the same family
    network; a gap's subject is a record of the kind it says; one gap per
    requirement, subject and child in a network; a decline's step is a decline."""
    networks = {n.id: {*n.index_children, *n.other_members} for n in ff.networks}
    households = {h.id for h in ff.households}
    lists = {
        "relationships": len(ff.relationships),
        "care_arrangements": len(ff.care),
        "residences": len(ff.residences),
        "parental_responsibility": len(ff.pr),
        "care_orders": len(ff.care_orders),
    }

    def unique(section: str, ids: list[str]) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, x in enumerate(ids):
            if x in seen:
                where = history_label(section, i, x)
                issues.append(Issue(where, "id", f'"{x}" is already used by {section}[{seen[x]}]'))
            seen.setdefault(x, i)
        return seen

    gaps = unique("gaps", [g.id for g in ff.gaps])
    contacts = unique("contacts", [c.id for c in ff.contacts])
    unique("supervisor_decisions", [d.id for d in ff.supervisor_decisions])
    sharing = unique("sharing_decisions", [s.id for s in ff.sharing_decisions])
    requests = unique("information_requests", [r.id for r in ff.information_requests])
    request_network = {r.id: r.network for r in ff.information_requests}
    gap_network = {g.id: g.network for g in ff.gaps}
    contact_network = {c.id: c.network for c in ff.contacts}

    def network(where: str, nid: str) -> bool:
        if nid not in networks:
            issues.append(Issue(where, "network", f'no network with id "{nid}"'))
            return False
        return True

    def member(where: str, field: str, nid: str, pid: str) -> None:
        if pid and nid in networks and pid not in networks[nid]:
            issues.append(Issue(where, field, f'no person with id "{pid}" in network "{nid}"'))

    def same(where: str, field: str, kind: str, ref: str, known: dict[str, str], nid: str) -> None:
        if not ref:
            return
        if ref not in known:
            issues.append(Issue(where, field, f'no {kind} with id "{ref}"'))
        elif known[ref] != nid:
            issues.append(Issue(where, field, f'{kind} "{ref}" is in another network ("{known[ref]}")'))

    keys: dict[tuple[str, str, str, str, str], int] = {}
    for i, g in enumerate(ff.gaps):
        where = history_label("gaps", i, g.id)
        if not network(where, g.network):
            continue
        member(where, "child", g.network, g.child)
        _check_subject(ff, where, g, networks, households, lists, gaps, sharing, issues)
        key = (g.network, g.rule, g.subject_kind, g.subject, g.child)
        if key in keys:
            issues.append(
                Issue(where, "subject", f"gaps[{keys[key]}] is already this requirement for this subject")
            )
        keys.setdefault(key, i)
        for j, e in enumerate(g.events):
            member(where, f"events[{j}].declined_by", g.network, e.declined_by)
            same(where, f"events[{j}].contact", "contact", e.contact, contact_network, g.network)
    about = {g.id: g.subject for g in ff.gaps if g.subject_kind == SubjectKind.GAP}
    for i, g in enumerate(ff.gaps):
        seen_ids, at = {g.id}, about.get(g.id)
        while at is not None and at not in seen_ids:
            seen_ids.add(at)
            at = about.get(at)
        if at is not None:
            where = history_label("gaps", i, g.id)
            issues.append(
                Issue(where, "subject", "gaps about each other in a circle: a gap is about an earlier one")
            )
    for i, c in enumerate(ff.contacts):
        where = history_label("contacts", i, c.id)
        if not network(where, c.network):
            continue
        for field, ids in (("present", c.present), ("seen_directly", c.seen_directly)):
            for j, pid in enumerate(ids):
                member(where, f"{field}[{j}]", c.network, pid)
                if pid in ids[:j]:
                    issues.append(Issue(where, f"{field}[{j}]", f'"{pid}" is listed twice'))
        for j, h in enumerate(c.household_checks):
            if h.household not in households:
                issues.append(
                    Issue(where, f"household_checks[{j}].household", f'no household "{h.household}"')
                )
            elif h.household in (x.household for x in c.household_checks[:j]):
                issues.append(Issue(where, f"household_checks[{j}].household", "is checked twice"))
        for j, o in enumerate(c.outcomes):
            same(where, f"outcomes[{j}].gap", "gap", o.gap, gap_network, c.network)
            if o.gap in (x.gap for x in c.outcomes[:j]):
                issues.append(Issue(where, f"outcomes[{j}].gap", "has two outcomes at this contact"))
    for i, d in enumerate(ff.supervisor_decisions):
        where = history_label("supervisor_decisions", i, d.id)
        if network(where, d.network):
            same(where, "gap", "gap", d.gap, gap_network, d.network)
    for i, r in enumerate(ff.information_requests):
        where = history_label("information_requests", i, r.id)
        if network(where, r.network):
            member(where, "person", r.network, r.person)
            same(where, "gap", "gap", r.gap, gap_network, r.network)
    for i, s in enumerate(ff.sharing_decisions):
        where = history_label("sharing_decisions", i, s.id)
        if network(where, s.network):
            member(where, "person", s.network, s.person)
            same(where, "request", "information request", s.request, request_network, s.network)
    del contacts, requests


def _check_subject(
    ff: FamilyFile,
    where: str,
    g: Any,
    networks: dict[str, set[str]],
    households: set[str],
    lists: dict[str, int],
    gaps: dict[str, int],
    sharing: dict[str, int],
    issues: list[Issue],
) -> None:
    kind, ref = SubjectKind(g.subject_kind), g.subject
    if kind in BY_POSITION:
        section = BY_POSITION[kind]
        found = _POSITION.fullmatch(ref)
        if not found or found.group(1) != section:
            issues.append(
                Issue(where, "subject", f'a {kind.value} is named by its place, like "{section}[0]"')
            )
        elif int(found.group(2)) >= lists[section]:
            issues.append(Issue(where, "subject", f"no {ref}: the file has {lists[section]} {section}"))
        return
    if kind is SubjectKind.DECLINE:
        step = _STEP.fullmatch(ref)
        other = next((x for x in ff.gaps if step and x.id == step.group(1)), None)
        if step is None or other is None:
            issues.append(Issue(where, "subject", 'a decline is named by its step, like "g2.events[1]"'))
            return
        n = int(step.group(2))
        if n >= len(other.events):
            issues.append(Issue(where, "subject", f'gap "{other.id}" has {len(other.events)} steps'))
        elif (other.events[n].kind, other.events[n].state) != (EventKind.ANSWERED, GapState.ASKED_DECLINED):
            issues.append(Issue(where, "subject", f"{ref} is not a decline"))
        elif other.network != g.network:
            issues.append(Issue(where, "subject", f'gap "{other.id}" is in another network'))
        return
    section = _BY_ID[kind]
    if kind in (SubjectKind.PERSON, SubjectKind.CHILD):
        ok = ref in networks.get(g.network, set())
    elif kind is SubjectKind.HOUSEHOLD:
        ok = ref in households
    elif kind is SubjectKind.NETWORK:
        ok = ref == g.network
    elif kind is SubjectKind.SHARING:
        ok = ref in sharing and ff.sharing_decisions[sharing[ref]].network == g.network
    else:  # another gap
        ok = ref in gaps and ref != g.id and ff.gaps[gaps[ref]].network == g.network
    if not ok:
        issues.append(Issue(where, "subject", f'no {_NAMED[section]} "{ref}" in network "{g.network}"'))


def history_shift(ff: FamilyFile, delta: timedelta) -> None:
    """Move every date and time of the history by ``delta``."""
    ff.gaps = [_moved(g, delta) for g in ff.gaps]
    ff.contacts = [_moved(c, delta) for c in ff.contacts]
    ff.supervisor_decisions = [_moved(d, delta) for d in ff.supervisor_decisions]
    ff.sharing_decisions = [_moved(s, delta) for s in ff.sharing_decisions]
    ff.information_requests = [_moved(r, delta) for r in ff.information_requests]


def _moved(record: Any, delta: timedelta) -> Any:
    changes: dict[str, Any] = {}
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, date | datetime):
            changes[name] = value + delta
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            changes[name] = [_moved(v, delta) for v in value]
    return record.model_copy(update=changes)
