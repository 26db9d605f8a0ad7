"""Turn a loaded family record into what the family page shows. No queries
beyond the ones the selector made (and one for the masked-detail entitlement)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.core.graph import GROUP_LABELS, FamilyGraph, Group
from kinmap.core.vocab import PR_BASIS_LABELS, rel_type
from kinmap.web.masking import address_for, phone_for

from .selectors import FamilyRecord


@dataclass
class PersonLine:
    id: int
    name: str
    description: str
    age: str
    phone: str
    outside: bool = False


@dataclass
class ChildSection:
    id: int
    name: str
    age: str
    groups: list[tuple[str, str, list[PersonLine]]] = field(default_factory=list)
    other_networks: list[PersonLine] = field(default_factory=list)


def age_words(birth: date | None, accuracy: str, today: date, death: date | None = None) -> str:
    if birth is None:
        return "date of birth not known"
    if accuracy == "expected":
        return f"unborn, due {birth.day} {birth:%B %Y}"
    end = death or today
    days = (end - birth).days
    approx = "about " if accuracy == "estimated" else ""
    if days < 0:
        return "date of birth is in the future"
    if days < 14:
        return f"{approx}{days} day{'s' if days != 1 else ''} old"
    if days < 7 * 13:
        weeks = days // 7
        return f"{approx}{weeks} weeks old"
    months = (end.year - birth.year) * 12 + end.month - birth.month - (end.day < birth.day)
    if months < 24:
        return f"{approx}{months} months old"
    years = months // 12
    return f"{approx}{years} years old"


def family_page_context(record: FamilyRecord, user: User) -> dict[str, Any]:
    today = timezone.localdate()
    graph = FamilyGraph(record.graph_network, today)
    net = record.graph_network

    def line(pid: int, child_id: int) -> PersonLine:
        p = net.people[pid]
        row = record.people[pid]
        return PersonLine(
            id=pid,
            name=p.display_name,
            description=graph.describe(pid, child_id),
            age=age_words(p.birth_date, p.birth_date_accuracy, today, p.death_date),
            phone=phone_for(row.phone, row.phone_masked, user),
            outside=pid in net.outside_ids,
        )

    sections = []
    for cid in record.index_child_ids:
        child = net.people[cid]
        groups = graph.groups(cid)
        sec = ChildSection(
            id=cid, name=child.display_name, age=age_words(child.birth_date, child.birth_date_accuracy, today)
        )
        for g in Group:
            members = [line(pid, cid) for pid in groups[g] if net.is_member(pid)]
            sec.groups.append((g.value, GROUP_LABELS[g], members))
        # people recorded in other family networks (a father's other children)
        sec.other_networks = [line(pid, cid) for pid in sorted(net.outside_ids)]
        sections.append(sec)

    households = []
    for h in record.households.values():
        roster = [
            (net.people[r.person_id].display_name, r.start, r.end)
            for r in record.residences
            if r.household_id == h.pk and r.person_id in record.member_ids
        ]
        if roster:
            households.append(
                {"id": h.pk, "address": address_for(h, user), "masked": h.masked, "roster": roster}
            )

    care = [
        {
            "id": c.pk,
            "carer": net.people[c.carer_id].display_name,
            "child": net.people[c.child_id].display_name,
            "place": c.get_place_display(),
            "frequency": c.frequency,
            "overnight": c.overnight,
            "supervised": c.supervised,
            "sleep_place": c.sleep_place,
            "start": c.start,
            "end": c.end,
        }
        for c in record.care
        if c.child_id in record.member_ids
    ]
    relationships = [
        {
            "id": r.pk,
            "from": net.people[r.from_person_id].display_name,
            "label": rel_type(r.type).label,
            "to": net.people[r.to_person_id].display_name,
            "start": r.start,
            "end": r.end,
            "source": r.get_source_display() if r.source else "",
            "source_detail": r.source_detail,
        }
        for r in record.relationships
    ]
    pr = [
        {
            "person": net.people[x.person_id].display_name,
            "child": net.people[x.child_id].display_name,
            "basis": PR_BASIS_LABELS.get(x.basis, x.basis),  # type: ignore[call-overload]
        }
        for x in record.parental_responsibility
    ]
    return {
        "network": record.network,
        "sections": sections,
        "households": households,
        "care": care,
        "relationships": relationships,
        "pr": pr,
        "graph_network": net,
    }
