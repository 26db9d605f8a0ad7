"""The rows of ``kinmap synth``'s made-up families, plain and numbered in memory.

:func:`family_invent` invents one family
(:func:`kinmap.core.rules.synthetic.synthetic_network`, numbered with the
load's ids, drawing from the family's own generator :func:`family_rng`) and
queues its rows (:class:`kinmap.records.synth_bulk.Table`): people, names,
facts, the answers given at its last contact, households, stays,
relationships, care, parental responsibility, memberships, allocations,
contacts and match keys. The family it gives back is the synthetic network
as it reads back from those rows (provenance as the database keeps it),
whose gaps :mod:`kinmap.records.synth_gaps` works out. No model instance is
made and no query is run.
"""

from __future__ import annotations

import dataclasses
import functools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any, TypeVar

from django.utils import timezone

from kinmap.core import model as cm
from kinmap.core.matching import MatchRecord, blocking_keys
from kinmap.core.model import Fact, Network, Person, Provenance
from kinmap.core.rules.facts import FACT_ADULT_SERVICES, FACT_OTHER_CHILDREN, FACT_OTHER_NAMES
from kinmap.core.rules.synthetic import synthetic_network
from kinmap.core.vocab import DateAccuracy, Source
from kinmap.gaps import models as gm
from kinmap.gaps.summaries import FIELDS
from kinmap.matching.models import PersonMatchKey

from . import models as m
from .synth_bulk import Table

# answers recorded at the last contact, where not recorded before
ANSWERS = ((FACT_OTHER_NAMES, "none"), (FACT_OTHER_CHILDREN, "none"), (FACT_ADULT_SERVICES, "none"))
CONTACT_TYPES = [c for c, _ in gm.ContactType.choices]
_PROVENANCED = ("source", "source_detail", "recorded_at")


class Rows:
    """The tables of one batch and the counter that numbers their rows."""

    def __init__(self, last_id: int) -> None:
        self.last = last_id
        self.networks = Table(m.FamilyNetwork, ("id", "name"))
        self.allocations = Table(m.Allocation, ("id", "network_id", "team_id", "start"))
        self.people = Table(
            m.Person,
            (
                "id",
                "given_name",
                "family_name",
                "name_absent_reason",
                "sex",
                "birth_date",
                "birth_date_accuracy",
                "death_date",
                "nhs_number",
                "phone",
                "phone_masked",
                "email",
                "seen_directly_on",
                "provenance",
            ),
        )
        self.members = Table(m.NetworkMember, ("id", "network_id", "person_id", "is_index"))
        self.names = Table(m.OtherName, ("id", "person_id", "kind", "given_name", "family_name"))
        self.households = Table(
            m.Household, ("id", "address_line_1", "address_line_2", "town", "postcode", "masked")
        )
        dated = {"history_date": "recorded_at"}
        self.facts = Table(m.PersonFact, ("id", "person_id", "key", "value", *_PROVENANCED), **dated)
        self.residences = Table(
            m.Residence, ("id", "person_id", "household_id", "start", "end", *_PROVENANCED), **dated
        )
        self.relationships = Table(
            m.Relationship,
            ("id", "from_person_id", "to_person_id", "type", "start", "end", "legal_basis", *_PROVENANCED),
            **dated,
        )
        self.care = Table(
            m.CareArrangement,
            (
                "id",
                "carer_id",
                "child_id",
                "place",
                "frequency",
                "overnight",
                "supervised",
                "sleep_place",
                "start",
                "end",
                *_PROVENANCED,
            ),
            **dated,
        )
        self.prs = Table(
            m.ParentalResponsibility,
            ("id", "person_id", "child_id", "basis", "start", "end", *_PROVENANCED),
            **dated,
        )
        self.contacts = Table(
            gm.Contact,
            ("id", "network_id", "type", "date", "practitioner_id", "status", "opened_at", "closed_at"),
        )
        self.gaps = Table(
            gm.Gap,
            (
                "id",
                "network_id",
                "key",
                "rule_id",
                "subject_kind",
                "subject_id",
                "child_id",
                "subject_name",
                "severity",
                "detail",
                "missing",
                "opened_at",
                "overnight_infant_until",
                "state",
                "resolved_at",
                "version",
                "open_since",
                "open_since_basis",
            ),
        )
        self.events = Table(
            gm.GapEvent, ("id", "gap_id", "kind", "state", "source", "source_detail", "by_id", "at")
        )
        self.keys = Table(PersonMatchKey, ("person_id", "key"))
        # each family network's open gaps counted (kinmap.gaps.summaries), from its gap rows
        self.summaries = Table(gm.GapSummary, ("network_id", *FIELDS))

    def tables(self) -> list[Table]:
        """Every table of the batch (the match keys too)."""
        return [t for t in vars(self).values() if isinstance(t, Table)]

    def numbered(self) -> list[Table]:
        """The tables whose ids the counter gives (every one but the keys and
        the gap summaries, which have none)."""
        return [
            t
            for t in vars(self).values()
            if isinstance(t, Table) and t is not self.keys and t is not self.summaries
        ]

    def next_id(self) -> int:
        self.last += 1
        return self.last


@dataclass
class Counts:
    families: int = 0
    networks: int = 0
    people: int = 0
    shared_people: int = 0
    gaps_open: int = 0
    gaps_answered: int = 0
    contacts: int = 0

    def add(self, other: Counts) -> None:
        """Count ``other``'s too."""
        for name, value in dataclasses.asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class Family:
    """One invented family as recorded: the whole synthetic network (with the
    database's provenance), its family networks (id, name, members in order,
    index children), the answers given at its last contact, and that date."""

    net: Network
    networks: list[tuple[int, str, list[int], list[int]]] = field(default_factory=list)
    answers: dict[int, list[Fact]] = field(default_factory=dict)
    last_contact: date | None = None


def family_rng(seed: int, i: int) -> random.Random:
    """The random numbers of family ``i`` of the caseload of ``seed``."""
    return random.Random(f"kinmap synth {seed} {i}")


def family_invent(
    rng: random.Random,
    seed: int,
    i: int,
    today: date,
    team_ids: Sequence[int],
    practitioner_ids: Sequence[int],
    rows: Rows,
    now: datetime,
    counts: Counts,
) -> Family:
    """Invent family ``i`` and queue its rows (see :mod:`kinmap.records.synth`
    for what an area's families look like)."""
    net = synthetic_network(seed * 1_000_003 + i, rng.randint(3, 14), today, first_id=rows.last + 1)
    rows.last = max(
        chain(
            net.people,
            net.households,
            (r.id for r in net.relationships),
            (r.id for r in net.residences),
            (c.id for c in net.care),
            (x.id for x in net.parental_responsibility),
        )
    )
    team = i % len(team_ids)
    nid = rows.next_id()
    name = f"{net.name} (synthetic)"
    rows.networks.add((nid, name))
    counts.families += 1
    begun = today - timedelta(days=rng.randint(30, 365))
    rows.allocations.add((rows.next_id(), nid, team_ids[team], begun))
    people = dict(net.people)
    for pid, p in net.people.items():  # a masked phone for one adult in twenty
        if not p.phone_masked and p.phone and rng.random() < 0.05 and _adult(p, today):
            people[pid] = dataclasses.replace(p, phone_masked=True)
    households = {  # and one household in twenty in a refuge
        hid: h if h.masked or rng.random() >= 0.05 else dataclasses.replace(h, masked=True)
        for hid, h in net.households.items()
    }
    answers: dict[int, list[Fact]] = {}
    said = Provenance(Source.SAID_BY, "said at the contact", "", now)
    for pid, p in net.people.items():  # answers given at the last contact
        if net.is_member(pid) and p.is_adult(today):
            for key, value in ANSWERS:
                if key not in p.facts and rng.random() < 0.3:
                    answers.setdefault(pid, []).append(Fact(key, value, said))
    members = [pid for pid in net.people if net.is_member(pid)]
    fam = Family(_recorded(net, people, households), answers=answers)
    fam.networks.append((nid, name, members, sorted(pid for pid in members if pid in net.index_child_ids)))
    if net.outside_ids:  # the father's other children: a network of their own
        other, other_name = rows.next_id(), f"{net.name}: older children (synthetic)"
        rows.networks.add((other, other_name))
        rows.allocations.add((rows.next_id(), other, team_ids[(team + 1) % len(team_ids)], begun))
        shared = {r.from_id for r in net.relationships if r.to_id in net.outside_ids} - net.outside_ids
        theirs = sorted(net.outside_ids | shared)
        index = [pid for pid in theirs if pid in net.outside_ids and not net.people[pid].is_adult(today)]
        fam.networks.append((other, other_name, theirs, index))
        counts.shared_people += len(shared)
    days = sorted(rng.sample(range(1, 365), rng.randint(1, 4)), reverse=True)
    closed = gm.Contact.Status.CLOSED.value
    for d in days:
        on = today - timedelta(days=d)
        at = _aware(datetime.combine(on, datetime.min.time()))
        rows.contacts.add(
            (rows.next_id(), nid, rng.choice(CONTACT_TYPES), on, practitioner_ids[team], closed, at, at)
        )
    fam.last_contact = today - timedelta(days=min(days))
    counts.contacts += len(days)
    _queue_records(fam, rows)
    return fam


def _adult(p: Person, today: date) -> bool:
    return p.birth_date is not None and (today - p.birth_date).days >= 18 * 365


@functools.lru_cache(maxsize=65536)
def _stored(prov: Provenance | None) -> Provenance | None:
    """A provenance as the database gives it back: who recorded it is a user
    of kinmap (none, for a made-up record), the time aware (the synthetic
    ones are a few hundred, so each is worked out once)."""
    if prov is None:
        return None
    at = prov.recorded_at
    if at is not None and at.tzinfo is None:
        at = _aware(at)
    return Provenance(prov.source, prov.detail, "", at)


@functools.lru_cache(maxsize=4096)
def _aware(at: datetime) -> datetime:
    """``at`` in the current time zone (the synthetic times are a few hundred
    midnights, so each is worked out once)."""
    return timezone.make_aware(at)


def _recorded(net: Network, people: dict[int, Person], households: dict[int, Any]) -> Network:
    """The synthetic network as it reads back from its rows."""
    return dataclasses.replace(
        net,
        people={
            pid: _replaced(p, facts={k: Fact(k, f.value, _stored(f.provenance)) for k, f in p.facts.items()})
            if p.facts
            else p
            for pid, p in people.items()
        },
        households=households,
        relationships=tuple(_restamped(r) for r in net.relationships),
        residences=tuple(_restamped(r) for r in net.residences),
        care=tuple(_restamped(c) for c in net.care),
        parental_responsibility=tuple(_restamped(x) for x in net.parental_responsibility),
    )


T = TypeVar("T", cm.Relationship, cm.Residence, cm.CareArrangement, cm.ParentalResponsibility)


def _restamped(record: T) -> T:
    """A dated record with its provenance as the database gives it back."""
    if record.provenance is None:
        return record
    return _replaced(record, provenance=_stored(record.provenance))


D = TypeVar("D", Person, cm.Relationship, cm.Residence, cm.CareArrangement, cm.ParentalResponsibility)


def _replaced(record: D, **changes: Any) -> D:
    """``dataclasses.replace(record, **changes)`` for the core's records
    (frozen dataclasses with no ``__post_init__`` and nothing cached on the
    instance): the record's fields copied and the changes set, without
    calling ``__init__`` with every field (a family has dozens of records;
    the same record, for a fraction of the time)."""
    made = object.__new__(type(record))
    made.__dict__.update(record.__dict__)
    made.__dict__.update(changes)
    return made


def _prov_cols(prov: Provenance | None) -> tuple[str, str, datetime | None]:
    # ``_value_`` (here and below): an enumeration member's value as a plain
    # attribute (``.value`` is a property, a call each read; enum HOWTO)
    if prov is None:
        return ("", "", None)
    return (prov.source._value_, prov.detail, prov.recorded_at)


def _queue_records(fam: Family, rows: Rows) -> None:
    """Queue the rows that record the family (people, names, facts, the
    answers, households, stays, relationships, care, parental responsibility,
    memberships) and the people's match keys."""
    net = fam.net
    for pid, p in net.people.items():
        rows.people.add(
            (
                pid,
                p.given_name,
                p.family_name,
                p.name_absent_reason,
                p.sex._value_,
                p.birth_date,
                p.birth_date_accuracy._value_,
                p.death_date,
                p.nhs_number,
                p.phone,
                p.phone_masked,
                p.email,
                p.seen_directly_on,
                {
                    f: {
                        "source": v.source._value_,
                        "detail": v.detail,
                        "by": v.recorded_by,
                        "at": v.recorded_at.isoformat() if v.recorded_at else "",
                    }
                    for f, v in p.provenance.items()
                },
            )
        )
        for n in p.other_names:
            rows.names.add((rows.next_id(), pid, n.kind._value_, n.given_name, n.family_name))
        for f in p.facts.values():
            rows.facts.add((rows.next_id(), pid, f.key, f.value, *_prov_cols(f.provenance)))
    for nid, _, members, index in fam.networks:
        chosen = set(index)
        for pid in members:
            rows.members.add((rows.next_id(), nid, pid, pid in chosen))
    for pid, answers in fam.answers.items():  # numbered after the earlier facts
        for f in answers:
            rows.facts.add((rows.next_id(), pid, f.key, f.value, *_prov_cols(f.provenance)))
    for h in net.households.values():
        rows.households.add((h.id, h.address_line_1, h.address_line_2, h.town, h.postcode, h.masked))
    postcodes: dict[int, list[str]] = defaultdict(list)
    for r in net.residences:
        rows.residences.add((r.id, r.person_id, r.household_id, r.start, r.end, *_prov_cols(r.provenance)))
        postcode = net.households[r.household_id].postcode
        if postcode:
            postcodes[r.person_id].append(postcode)
    for rel in net.relationships:
        rows.relationships.add(
            (
                rel.id,
                rel.from_id,
                rel.to_id,
                rel.type,
                rel.start,
                rel.end,
                rel.legal_basis,
                *_prov_cols(rel.provenance),
            )
        )
    for c in net.care:
        rows.care.add(
            (
                c.id,
                c.carer_id,
                c.child_id,
                c.place._value_,
                c.frequency,
                c.overnight,
                c.supervised,
                c.sleep_place,
                c.start,
                c.end,
                *_prov_cols(c.provenance),
            )
        )
    for x in net.parental_responsibility:
        rows.prs.add(
            (x.id, x.person_id, x.child_id, x.basis._value_, x.start, x.end, *_prov_cols(x.provenance))
        )
    for pid, p in net.people.items():  # findable by a lookup at once
        record = MatchRecord(
            given_name=p.given_name,
            family_name=p.family_name,
            other_names=tuple((o.given_name, o.family_name) for o in p.other_names),
            birth_date=p.birth_date,
            birth_date_estimated=p.birth_date_accuracy is DateAccuracy.ESTIMATED,
            nhs_number=p.nhs_number,
            postcodes=tuple(postcodes.get(pid, ())),
            phones=(p.phone,) if p.phone else (),
            person_id=pid,
        )
        for key in sorted(blocking_keys(record)):
            rows.keys.add((pid, key))
