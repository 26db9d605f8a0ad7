"""Turn a loaded family record into what the family pages show. No queries
beyond the ones the selector made (and one for the masked-detail entitlement)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.core import model as core
from kinmap.core.dates import day_month_year
from kinmap.core.graph import GROUP_LABELS, FamilyGraph, Group
from kinmap.core.responsibility import care_order_sentence
from kinmap.core.vocab import (
    CARE_PLACE_LABELS,
    PR_BASIS_LABELS,
    SEX_LABELS,
    SOURCE_LABELS,
    DateAccuracy,
    NameKind,
    Source,
    relation_sentence,
    relation_words,
)
from kinmap.web.links import NetworkLinks
from kinmap.web.masking import address_for, can_see_masked, phone_for

from . import known_dates
from . import models as m
from .elsewhere_words import and_words, elsewhere_words, hidden_relatives_words, known_elsewhere_words
from .selectors import Elsewhere, FamilyRecord

# What each group of the family page asks the practitioner when it is empty.
EMPTY_GROUP = {
    Group.LIVES_WITH: "Nobody is recorded as living with {child}. Record where {child} lives, and who "
    "else lives there.",
    Group.LIVES_ELSEWHERE: "Nobody recorded. Ask about parents, partners and anyone who cares for {child} "
    "and lives at another address.",
    Group.SIGNIFICANT: "Nobody recorded. Ask about relatives, friends and regular visitors.",
}


@dataclass
class PersonLine:
    id: int
    name: str
    description: str
    age: str
    phone: str
    outside: bool = False
    other_names: str = ""
    elsewhere: str = ""  # "Also recorded in 1 other family network, known to ..."
    url: str = ""  # their record's page
    ask_url: str = ""  # asking another agency about them


@dataclass
class ChildSection:
    id: int
    name: str
    age: str
    url: str  # the child's record's page
    # (key, heading, people, what to ask when nobody is recorded)
    groups: list[tuple[str, str, list[PersonLine], str]] = field(default_factory=list)
    other_networks: list[PersonLine] = field(default_factory=list)
    # relatives recorded only in networks the user may not see: a count and agencies
    hidden_count: int = 0
    hidden_agencies: list[str] = field(default_factory=list)
    hidden_elsewhere: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)


def age_words(birth: date | None, accuracy: str, today: date, death: date | None = None) -> str:
    if birth is None:
        return "date of birth not known"
    if accuracy == "expected":
        return f"unborn, due {day_month_year(birth)}"
    end = death or today
    days = (end - birth).days
    # any date of birth but an exact one gives an age that may be out
    approx = "" if accuracy in ("accurate", "unknown") else "about "
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


def provenance_words(prov: core.Provenance | None) -> str:
    """Where a fact came from, who recorded it and when, in one line:
    "Said by the mother · recorded by hv.owner on 3 March 2026"."""
    if prov is None:
        return "Source not recorded"
    words = SOURCE_LABELS[prov.source]
    if prov.detail:
        words = f"{words} {prov.detail}" if prov.source is Source.SAID_BY else f"{words}: {prov.detail}"
    recorded = []
    if prov.recorded_by:
        recorded.append(f"by {prov.recorded_by}")
    if prov.recorded_at is not None:
        day = timezone.localtime(prov.recorded_at).date()
        recorded.append(f"on {day_month_year(day)}")
    if recorded:
        words += " · recorded " + " ".join(recorded)
    return words


def nhs_number_words(value: str) -> str:
    """943 476 5919, as people read it."""
    if len(value) == 10 and value.isdigit():
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    return value


def date_of_birth_words(p: core.Person) -> str:
    """The date of birth in words with its accuracy (``kinmap.core.dates``):
    "4 May 2020", "About May 2020", "Between 2018 and 2019", "Expected 4 May
    2027 (unborn)", "Not known"."""
    if p.birth_date is None:
        return "Not known"
    if p.birth_date_accuracy is DateAccuracy.EXPECTED:
        return f"Expected {_day(p.birth_date)} (unborn)"
    return _cap(p.birth.words())


def _cap(words: str) -> str:
    return words[:1].upper() + words[1:]


def other_names_words(p: core.Person) -> str:
    kinds = {NameKind.PREVIOUS: "previously", NameKind.ALIAS: "also known as"}
    return "; ".join(
        " ".join(part for part in (kinds[n.kind], n.given_name, n.family_name) if part) for n in p.other_names
    )


def _day(d: date | None) -> str:
    return day_month_year(d) if d else ""


def _known_words(row: Any, field: str) -> str:
    """``row``'s date ``field`` in words with its accuracy ("about March
    2019"), empty when there is none (``kinmap.records.known_dates``)."""
    return known_dates.in_words(row, field)


def _stay_words(row: Any, today: date) -> str:
    """A stay at an address in words, its dates with their accuracy."""
    start, end = row.start, row.end
    since, until = _known_words(row, "start"), _known_words(row, "end")
    if end is not None and end <= today:
        return f"Lived here {'from ' + since + ' ' if start else ''}until {until}"
    if start is not None and start > today:
        return f"Moving in on {since}"
    words = f"Lives here since {since}" if start else "Lives here (moved in: date not known)"
    if end is not None:
        words += f", moving out on {until}"
    return words


def _relation_from(pid: int, r: core.Relationship, sex: str = "") -> tuple[str, str]:
    """The relationship read from ``pid``'s side, split around the other
    person's name (:func:`kinmap.core.vocab.relation_words`): ("birth father
    of", ""), ("partner of", "(not living together)"), ("son of", "") for
    a ``sex`` of "male"."""
    return relation_words(r.type, reverse=r.from_id != pid, sex=sex)


def _may_change_address(h: Any, elsewhere: Elsewhere, user: User) -> bool:
    """Whether the user may open the address to change it: a masked one only if
    entitled to masked details (see ``access.household_for_user``)."""
    return elsewhere.may_change(h) and (not h.masked or can_see_masked(user))


def family_page_context(
    record: FamilyRecord, user: User, elsewhere: Elsewhere, *, on: date | None = None
) -> dict[str, Any]:
    """What the family page shows (and the API answers): the network's own
    people and records, and, for people also recorded in other networks, only
    what :class:`~kinmap.records.selectors.Elsewhere` allows. Ages and who
    lives where now are as on ``on`` (default today). Each row carries the
    paths it links to (``url``, ``edit_url``...), made once here. ``graph`` is
    the :class:`~kinmap.core.graph.FamilyGraph` of the network on that day,
    for the page's genogram and carers to use again."""
    today = on or timezone.localdate()
    graph = FamilyGraph(record.graph_network, today)
    net = record.graph_network
    links = NetworkLinks(record.network.pk)

    def line(pid: int, child_id: int) -> PersonLine:
        p = net.people[pid]
        return PersonLine(
            id=pid,
            name=p.display_name,
            description=graph.describe(pid, child_id),
            age=age_words(p.birth_date, p.birth_date_accuracy, today, p.death_date),
            phone=phone_for(p.phone, p.phone_masked, user),
            outside=pid in net.outside_ids,
            other_names=other_names_words(p),
            elsewhere=elsewhere_words(elsewhere.count(pid), elsewhere.agencies_of([pid])),
            url=links("person", pid),
            ask_url=links("request-new", pid),
        )

    def name_of(pid: int | None) -> str:
        """A parent's name, unless they are recorded only in family networks
        the user may not see: then only that, and the agencies holding them."""
        if pid is None:
            return "Not recorded"
        if net.is_member(pid) or elsewhere.may_see(pid):
            return net.people[pid].display_name
        known = elsewhere.agencies_of([pid])
        return "Recorded in a family network you cannot see" + (
            f", known to {and_words(known)}" if known else ""
        )

    sections = []
    for cid in record.index_child_ids:
        child = net.people[cid]
        groups = graph.groups(cid)
        homes = [address_for(record.households[h], user) for h in sorted(graph.households_of(cid))]
        sec = ChildSection(
            id=cid,
            name=child.display_name,
            age=age_words(child.birth_date, child.birth_date_accuracy, today, child.death_date),
            url=links("person", cid),
        )
        sec.facts = [
            ("Date of birth", date_of_birth_words(child)),
            ("NHS number", nhs_number_words(child.nhs_number) or "Not recorded"),
            ("Lives at", "; ".join(homes) or "No address recorded"),
            ("Birth mother", name_of(graph.birth_mother(cid))),
            ("Birth father", name_of(graph.birth_father(cid))),
        ]
        for g in Group:
            members = [line(pid, cid) for pid in groups[g] if net.is_member(pid)]
            empty = EMPTY_GROUP[g].format(child=child.given_name or "the child")
            sec.groups.append((g.value, GROUP_LABELS[g], members, empty))
        # the child's brothers and sisters (a father's children by another
        # mother, say) and anyone else related to the child who is recorded
        # in other family networks; not their other relatives
        close = {sib.person_id for sib in graph.siblings(cid)}
        close |= {
            pid for r in net.relationships if cid in (r.from_id, r.to_id) for pid in (r.from_id, r.to_id)
        }
        related_elsewhere = sorted(net.outside_ids & close)
        sec.other_networks = [line(pid, cid) for pid in related_elsewhere if elsewhere.may_see(pid)]
        hidden = [pid for pid in related_elsewhere if not elsewhere.may_see(pid)]
        sec.hidden_count, sec.hidden_agencies = len(hidden), elsewhere.agencies_of(hidden)
        sec.hidden_elsewhere = hidden_relatives_words(
            sec.hidden_count, sec.hidden_agencies, child.given_name or "the child"
        )
        sections.append(sec)

    households = []
    for h in record.households.values():
        stays = [
            {
                "id": r.pk,
                "person_id": r.person_id,
                "name": net.people[r.person_id].display_name,
                "words": _stay_words(r, today),
                "current": r.end is None or r.end > today,
                "changeable": elsewhere.may_change(r),
                "url": links("residence-edit", r.pk),
            }
            for r in record.residences
            if r.household_id == h.pk
        ]
        if stays:
            stays.sort(key=lambda s: not s["current"])
            households.append(
                {
                    "id": h.pk,
                    "address": address_for(h, user),
                    "masked": h.masked,
                    "stays": stays,
                    "changeable": _may_change_address(h, elsewhere, user),
                    "url": links("household-edit", h.pk),
                }
            )

    care_prov = {c.id: c.provenance for c in net.care}
    care = [
        {
            "id": c.pk,
            "carer_id": c.carer_id,
            "carer": net.people[c.carer_id].display_name,
            "child": net.people[c.child_id].display_name,
            "place": CARE_PLACE_LABELS[c.place].capitalize(),  # type: ignore[index]
            "frequency": c.frequency or "Not recorded",
            "overnight": c.overnight,
            "supervised": c.supervised,
            "sleep_place": c.sleep_place or ("Not recorded" if c.overnight else ""),
            "since": _cap(_known_words(c, "start")) or "Not known",
            "end": _known_words(c, "end"),
            "source": provenance_words(care_prov.get(c.pk)),
            "changeable": elsewhere.may_change(c),
            "url": links("care-edit", c.pk),
        }
        for c in record.care
    ]
    rel_prov = {r.id: r.provenance for r in net.relationships}
    relationships = [
        {
            "id": r.pk,
            "from": net.people[r.from_person_id].display_name,
            "sentence": relation_sentence(
                r.type,
                net.people[r.from_person_id].display_name,
                net.people[r.to_person_id].display_name,
                r.legal_basis,
                from_sex=str(net.people[r.from_person_id].sex),
            ),
            "to": net.people[r.to_person_id].display_name,
            "dates": _period_words(r),
            "source": provenance_words(rel_prov.get(r.pk)),
            "changeable": elsewhere.may_change(r),
            "edit_url": links("relationship-edit", r.pk),
            "remove_url": links("relationship-remove", r.pk),
        }
        for r in record.relationships
    ]
    pr = sorted(
        (
            {
                "id": x.pk,
                "person": net.people[m.pr_holder_id(x)].display_name,
                "child": net.people[x.child_id].display_name,
                "basis": PR_BASIS_LABELS.get(x.basis, x.basis),  # type: ignore[call-overload]
                "dates": _period_words(x),
                "now": pr_state_words(x.start, x.end, net.people[m.pr_holder_id(x)].death_date, today),
                "changeable": elsewhere.may_change(x),
                "url": links("pr-edit", x.pk),
            }
            for x in record.parental_responsibility
        ),
        key=lambda row: row["now"] != "Now",  # current first, then past, each in the order recorded
    )
    own_orders = {o.pk: o for o in record.care_orders}
    care_orders = sorted(
        (
            {
                "id": o.id,
                "authority": o.local_authority,
                "child": net.people[o.child_id].display_name,
                "sentence": care_order_sentence(o, net.people[o.child_id].display_name, today),
                "dates": _period_words(o),
                "now": pr_state_words(o.start, o.end, net.people[o.child_id].death_date, today),
                "source": provenance_words(o.provenance),
                "changeable": elsewhere.may_change(own_orders[o.id]),
                "url": links("care-order-edit", o.id),
            }
            for o in net.care_orders
            if o.id in own_orders
        ),
        key=lambda row: row["now"] != "Now",  # in force first, then past
    )
    return {
        "network": record.network,
        "sections": sections,
        "care_orders": care_orders,
        "known_elsewhere": known_elsewhere_words(graph, elsewhere),
        "households": households,
        "care": care,
        "relationships": relationships,
        "pr": pr,
        "graph_network": net,
        "graph": graph,
    }


def _period_words(row: Any) -> str:
    """A period's dates in words with their accuracy: "4 May 2020 to about
    2021", "Since March 2019", "Ended before 1 June 2022", or empty."""
    start, end = _known_words(row, "start"), _known_words(row, "end")
    if start and end:
        return f"{_cap(start)} to {end}"
    if start:
        return f"Since {start}"
    if end:
        return f"Ended {end}"
    return ""


def pr_state_words(start: date | None, end: date | None, died: date | None, today: date) -> str:
    """Whether a period of parental responsibility is running on ``today``:
    "Now", "Ended" (its end has passed, or the holder has died), or "Not yet"."""
    if (end is not None and end <= today) or (died is not None and died <= today):
        return "Ended"
    if start is not None and start > today:
        return "Not yet"
    return "Now"


@dataclass
class FactRow:
    label: str
    value: str
    source: str = ""  # provenance in words; empty where the row has none


def person_page_context(
    record: FamilyRecord, person_id: int, user: User, elsewhere: Elsewhere
) -> dict[str, Any]:
    """Everything recorded about one member of a family network, with where each
    key fact came from. A relative recorded only in a network the user may not
    see is named only by the agencies that know them."""
    today = timezone.localdate()
    graph = FamilyGraph(record.graph_network, today)
    net = record.graph_network
    p = net.people[person_id]
    row = record.people[person_id]

    def prov(*fields: str) -> str:
        for f in fields:
            if f in p.provenance:
                return provenance_words(p.provenance[f])
        return provenance_words(None)

    name = p.display_name
    if not (p.given_name or p.family_name) and p.name_absent_reason:
        name = f"Not known: {p.name_absent_reason}"
    facts = [
        FactRow("Name", name, prov("given_name", "family_name") if p.given_name or p.family_name else ""),
        FactRow("Other names", other_names_words(p) or "None recorded"),
        FactRow("Sex", SEX_LABELS[p.sex], prov("sex") if p.sex != "unknown" else ""),
        FactRow("Date of birth", date_of_birth_words(p), prov("birth_date") if p.birth_date else ""),
        FactRow(
            "NHS number",
            nhs_number_words(p.nhs_number) or "Not recorded",
            prov("nhs_number") if p.nhs_number else "",
        ),
        FactRow(
            "Telephone",
            phone_for(row.phone, row.phone_masked, user) or "Not recorded",
            prov("phone") if row.phone else "",
        ),
        FactRow("Email", p.email or "Not recorded", prov("email") if p.email else ""),
        FactRow(
            "Seen or spoken to directly",
            f"Last on {_day(p.seen_directly_on)}" if p.seen_directly_on else "No: only described by others",
        ),
    ]
    if p.death_date:
        facts.append(FactRow("Date of death", _cap(p.death.words()), prov("death_date")))

    children = [c for c in record.index_child_ids if c != person_id]
    to_children = [
        {"child": net.people[c].display_name, "description": graph.describe(person_id, c)} for c in children
    ]
    own_rels = {r.pk: r for r in record.relationships}
    own_stays = {r.pk: r for r in record.residences}
    own_care = {c.pk: c for c in record.care}
    relationships = []
    for r in net.relationships:
        if person_id not in (r.from_id, r.to_id):
            continue
        other = r.to_id if r.from_id == person_id else r.from_id
        visible = net.is_member(other) or elsewhere.may_see(other)
        if visible:
            other_words = net.people[other].display_name
        else:
            known = elsewhere.agencies_of([other])
            other_words = "someone recorded in another family network" + (
                f", known to {and_words(known)}" if known else ""
            )
        before, after = _relation_from(person_id, r, str(net.people[person_id].sex))
        relationships.append(
            {
                "id": r.id,
                "words": before.capitalize(),
                "after": after,
                "other": other_words,
                "other_id": other if net.is_member(other) else None,
                # Of a relative in a network the user may not see, only that they
                # exist: not the dates, nor who said it and who recorded it there.
                "dates": _period_words(r) if visible else "",
                "source": provenance_words(r.provenance) if visible else "",
                "editable": r.id in own_rels and elsewhere.may_change(own_rels[r.id]),
            }
        )
    stays = [
        {
            "id": r.id,
            "household_id": r.household_id,
            "address": address_for(record.households[r.household_id], user),
            "masked": record.households[r.household_id].masked,
            "words": _stay_words(r, today),
            "source": provenance_words(r.provenance),
            "changeable": elsewhere.may_change(own_stays[r.id]),
            "address_changeable": _may_change_address(record.households[r.household_id], elsewhere, user),
        }
        for r in net.residences
        if r.person_id == person_id
    ]
    care = [
        {
            "id": c.id,
            "words": (
                f"Cares for {net.people[c.child_id].display_name}"
                if c.carer_id == person_id
                else f"Cared for by {net.people[c.carer_id].display_name}"
            ),
            "details": _care_words(c),
            "source": provenance_words(c.provenance),
            "changeable": elsewhere.may_change(own_care[c.id]),
        }
        for c in net.care
        if person_id in (c.carer_id, c.child_id) and c.id in own_care
    ]
    own_pr = {x.pk: x for x in record.parental_responsibility}
    held: dict[int, list[core.ParentalResponsibility]] = {}
    for x in net.parental_responsibility:
        if x.person_id == person_id:
            held.setdefault(x.child_id, []).append(x)
    pr = [
        {
            "child_id": c,
            "child": net.people[c].display_name,
            "id": x.id if x else None,
            "basis": PR_BASIS_LABELS[x.basis] if x else "Not recorded",
            "dates": _period_words(x) if x else "",
            "now": pr_state_words(x.start, x.end, p.death_date, today) if x else "",
            "source": provenance_words(x.provenance) if x else "",
            "changeable": x is None or elsewhere.may_change(own_pr[x.id]),
        }
        for c in children
        for x in (sorted(held[c], key=lambda r: (r.start or date.min, r.id)) if c in held else [None])
    ]
    return {
        "network": record.network,
        "person": row,
        "name": p.display_name,
        "age": age_words(p.birth_date, p.birth_date_accuracy, today, p.death_date),
        "elsewhere": elsewhere_words(elsewhere.count(person_id), elsewhere.agencies_of([person_id])),
        "is_index": person_id in record.index_child_ids,
        "facts": facts,
        "to_children": to_children,
        "relationships": relationships,
        "stays": stays,
        "care": care,
        "pr": pr,
    }


def _care_words(c: core.CareArrangement) -> str:
    parts = [CARE_PLACE_LABELS[c.place].capitalize()]
    if c.frequency:
        parts.append(c.frequency)
    parts.append("overnight" if c.overnight else "daytime")
    parts.append("supervised" if c.supervised else "unsupervised")
    if c.sleep_place:
        parts.append(f"sleeps: {c.sleep_place}")
    if c.start:
        parts.append(f"since {_day(c.start)}")
    if c.end:
        parts.append(f"until {_day(c.end)}")
    return ", ".join(parts)
