"""One batch of ``kinmap synth``: made-up families as plain rows, their gaps
worked out by the rules engine over the pure networks in memory.

:func:`batch_load` invents the families of a batch
(:func:`kinmap.core.rules.synthetic.synthetic_network`, numbered with the
load's ids), queues their rows (:class:`kinmap.records.synth_bulk.Table`),
builds for each family network the pure network a recompute would load from
those rows (:func:`network_view`: its members, the relationships, stays, care
and parental responsibility that :func:`kinmap.records.selectors.family_records_load`
would give, with provenance as the database keeps it), and runs the engine
(:func:`kinmap.gaps.engine.run`) over it twice: as at the last contact, and
after the answers given there (the gaps they answer resolve, with the
answer's source, as :func:`kinmap.gaps.services.gaps_recompute` resolves
them). No model instance is made and no query is run per family.
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
from typing import Any

from django.utils import timezone

from kinmap.core.graph import FamilyGraph
from kinmap.core.matching import MatchRecord, blocking_keys
from kinmap.core.model import Fact, Network, Person, Provenance
from kinmap.core.resolution import resolving_provenance
from kinmap.core.rules import GapHistory, ProcessInputs, RuleSettings, Unmet
from kinmap.core.rules.facts import FACT_ADULT_SERVICES, FACT_OTHER_CHILDREN, FACT_OTHER_NAMES
from kinmap.core.rules.open_since import NOT_KNOWN, OpenSince, OpenSinceBasis, open_since_all
from kinmap.core.rules.synthetic import synthetic_network
from kinmap.core.vocab import DateAccuracy, Source
from kinmap.gaps import engine
from kinmap.gaps import models as gm
from kinmap.gaps.services import subject_name
from kinmap.gaps.services.recompute import _overnight_infant_until
from kinmap.gaps.summaries import gap_summaries_refresh
from kinmap.matching.models import PersonMatchKey

from . import models as m
from .synth_bulk import Table, ids_release, ids_reserve

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

    def numbered(self) -> list[Table]:
        """The tables whose ids the counter gives (every one but the keys)."""
        return [t for t in vars(self).values() if isinstance(t, Table) and t is not self.keys]

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


@dataclass
class _Family:
    """One invented family as recorded: the whole synthetic network (with the
    database's provenance), its family networks (id, name, members in order,
    index children), the answers given at its last contact, and that date."""

    net: Network
    networks: list[tuple[int, str, list[int], list[int]]] = field(default_factory=list)
    answers: dict[int, list[Fact]] = field(default_factory=dict)
    last_contact: date | None = None


def batch_load(
    *,
    rng: random.Random,
    seed: int,
    start: int,
    count: int,
    today: date,
    team_ids: Sequence[int],
    practitioner_ids: Sequence[int],
    actor_id: int | None,
    settings: RuleSettings,
    counts: Counts,
) -> None:
    """Invent, reconcile and write families ``start`` to ``start + count - 1``
    of the caseload of ``seed`` (a fixed number of queries for the batch)."""
    now = timezone.now()
    probe = Rows(0)
    rows = Rows(ids_reserve(probe.numbered()))
    families = [
        _invent(rng, seed, i, today, team_ids, practitioner_ids, rows, now, counts)
        for i in range(start, start + count)
    ]
    history_reads = _reads_history(settings)
    for fam in families:
        _gaps(fam, rows, today, now, settings, actor_id, history_reads, counts)
    ids_release(rows.numbered(), rows.last)
    for table in (*rows.numbered(), rows.keys):
        table.write(now)
    # the worklists read one summary row a family (kinmap.gaps.summaries)
    gap_summaries_refresh(network_ids=[row[0] for row in rows.networks.rows])


def _invent(
    rng: random.Random,
    seed: int,
    i: int,
    today: date,
    team_ids: Sequence[int],
    practitioner_ids: Sequence[int],
    rows: Rows,
    now: datetime,
    counts: Counts,
) -> _Family:
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
    fam = _Family(_recorded(net, people, households), answers=answers)
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


def _stored(prov: Provenance | None) -> Provenance | None:
    """A provenance as the database gives it back: who recorded it is a user
    of kinmap (none, for a made-up record), the time aware."""
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
            pid: dataclasses.replace(
                p, facts={k: Fact(k, f.value, _stored(f.provenance)) for k, f in p.facts.items()}
            )
            for pid, p in people.items()
        },
        households=households,
        relationships=tuple(
            dataclasses.replace(r, provenance=_stored(r.provenance)) for r in net.relationships
        ),
        residences=tuple(dataclasses.replace(r, provenance=_stored(r.provenance)) for r in net.residences),
        care=tuple(dataclasses.replace(c, provenance=_stored(c.provenance)) for c in net.care),
        parental_responsibility=tuple(
            dataclasses.replace(x, provenance=_stored(x.provenance)) for x in net.parental_responsibility
        ),
    )


def _prov_cols(prov: Provenance | None) -> tuple[str, str, datetime | None]:
    if prov is None:
        return ("", "", None)
    return (prov.source.value, prov.detail, prov.recorded_at)


def _queue_records(fam: _Family, rows: Rows) -> None:
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
                p.sex.value,
                p.birth_date,
                p.birth_date_accuracy.value,
                p.death_date,
                p.nhs_number,
                p.phone,
                p.phone_masked,
                p.email,
                p.seen_directly_on,
                {
                    f: {
                        "source": v.source.value,
                        "detail": v.detail,
                        "by": v.recorded_by,
                        "at": v.recorded_at.isoformat() if v.recorded_at else "",
                    }
                    for f, v in p.provenance.items()
                },
            )
        )
        for n in p.other_names:
            rows.names.add((rows.next_id(), pid, n.kind.value, n.given_name, n.family_name))
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
                c.place.value,
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
            (x.id, x.person_id, x.child_id, x.basis.value, x.start, x.end, *_prov_cols(x.provenance))
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


def network_view(full: Network, nid: int, name: str, members: list[int], index: list[int]) -> Network:
    """The pure network of one family network as a recompute loads it from
    the rows (:func:`kinmap.records.selectors.family_records_load`): its
    members in the order they were added, then the people one relationship
    away in id order; the relationships with a member at either end; every
    stay of those people with its household; care with a member at either end;
    parental responsibility for a member."""
    mine = set(members)
    rels = tuple(r for r in full.relationships if r.from_id in mine or r.to_id in mine)
    outside = {pid for r in rels for pid in (r.from_id, r.to_id)} - mine
    people = {pid: full.people[pid] for pid in (*members, *sorted(outside))}
    stays = tuple(r for r in full.residences if r.person_id in people)
    return Network(
        id=nid,
        name=name,
        index_child_ids=tuple(index),
        people=people,
        relationships=rels,
        households={r.household_id: full.households[r.household_id] for r in stays},
        residences=stays,
        care=tuple(c for c in full.care if c.child_id in mine or c.carer_id in mine),
        parental_responsibility=tuple(x for x in full.parental_responsibility if x.child_id in mine),
        outside_ids=frozenset(outside),
    )


def _reads_history(settings: RuleSettings) -> bool:
    """Whether the rules could find something more once the gaps have a
    history (a gap asked about at least 0 times: requirement 14 set to 0)."""
    from kinmap.core.rules import CATALOGUE

    rule_id = "R14-agency-request"
    if rule_id not in CATALOGUE or not settings.is_enabled(rule_id):
        return False
    return int(settings.effective_params(CATALOGUE.get(rule_id))["min_times_prompted"]) <= 0


def _gaps(
    fam: _Family,
    rows: Rows,
    today: date,
    now: datetime,
    settings: RuleSettings,
    actor_id: int | None,
    history_reads: bool,
    counts: Counts,
) -> None:
    """The gaps of each of the family's networks as at the last contact, then
    after the answers given there (queued with their events)."""
    answered = fam.net
    if fam.answers:
        people = dict(fam.net.people)
        for pid, facts in fam.answers.items():
            p = people[pid]
            people[pid] = dataclasses.replace(p, facts={**p.facts, **{f.key: f for f in facts}})
        answered = dataclasses.replace(fam.net, people=people)
    opened_on = timezone.localdate(now)
    for i, (nid, name, members, index) in enumerate(fam.networks):
        counts.networks += 1
        last = fam.last_contact if i == 0 else None
        view = network_view(fam.net, nid, name, members, index)
        gaps: dict[str, list[Any]] = {}
        first = ProcessInputs(last_contact_on=last)
        unmet = _unmet(view, today, settings, first)
        since = open_since_all(FamilyGraph(view, today), unmet, first, settings.params)
        for u in unmet:
            gaps[u.key] = _gap_row(rows, nid, u, view, today, now, actor_id, since.get(u.key, NOT_KNOWN))
        if not (history_reads or any(pid in fam.answers for pid in view.people)):
            after = None
        else:
            after = network_view(answered, nid, name, members, index)
            history = {
                k: GapHistory(gap_key=k, first_opened=opened_on, open_since=since.get(k, NOT_KNOWN).on)
                for k in gaps
            }
            process = ProcessInputs(last_contact_on=last, gap_history=history)
            found = _unmet(after, today, settings, process)
            wanted = {u.key: u for u in found}
            since = open_since_all(FamilyGraph(after, today), found, process, settings.params)
            _reconcile(gaps, wanted, since, after, rows, nid, today, now, actor_id, counts)
        for row in gaps.values():
            rows.gaps.add(tuple(row))
            counts.gaps_open += row[14] is None
    counts.people += len(fam.net.people)


def _unmet(net: Network, today: date, settings: RuleSettings, process: ProcessInputs) -> list[Unmet]:
    return engine.run(net, today, settings, process)


def _gap_row(
    rows: Rows,
    nid: int,
    u: Unmet,
    net: Network,
    today: date,
    now: datetime,
    actor_id: int | None,
    opened: OpenSince,
) -> list[Any]:
    """A new gap's columns in the order of ``Rows.gaps`` (as the recompute
    opens one: kinmap.gaps.services.recompute._plan), its "opened" event queued;
    ``opened``: when its requirement first applied (``open_since``)."""
    kind, sid = u.subject.kind.value, str(u.subject.id)
    gid = rows.next_id()
    rows.events.add((rows.next_id(), gid, gm.EventKind.OPENED.value, "", "", "", actor_id, now))
    return [
        gid,
        nid,
        u.key,
        u.rule_id,
        kind,
        sid,
        u.subject.child_id,
        subject_name(net, kind, sid),
        u.severity.value,
        u.detail,
        list(u.missing),
        now,
        _overnight_infant_until(FamilyGraph(net, today), kind, sid),
        gm.GapState.NOT_ASKED.value,
        None,
        1,
        opened.on or today,
        opened.basis.value,
    ]


def _reconcile(
    gaps: dict[str, list[Any]],
    wanted: dict[str, Unmet],
    since: dict[str, OpenSince],
    net: Network,
    rows: Rows,
    nid: int,
    today: date,
    now: datetime,
    actor_id: int | None,
    counts: Counts,
) -> None:
    """Bring the gaps as at the contact up to date with the answers given
    there, as the recompute does (kinmap.gaps.services.recompute._plan): open the new
    ones, update changed wording, resolve the answered ones with the answer's
    source (a resolved event each)."""
    for key, u in wanted.items():
        row = gaps.get(key)
        opened = since.get(key, NOT_KNOWN)
        if row is None:
            gaps[key] = _gap_row(rows, nid, u, net, today, now, actor_id, opened)
            continue
        if (
            opened.on is not None
            and opened.basis is OpenSinceBasis.FAMILY_DATES
            and (row[16], row[17]) != (opened.on, opened.basis.value)
        ):
            row[16], row[17] = opened.on, opened.basis.value
        kind, sid = row[4], row[5]
        fresh = (
            subject_name(net, kind, sid),
            u.severity.value,
            u.detail,
            list(u.missing),
            _overnight_infant_until(FamilyGraph(net, today), kind, sid),
        )
        if (row[7], row[8], row[9], row[10], row[12]) != fresh:
            row[7], row[8], row[9], row[10], row[12] = fresh
            row[15] += 1
    resolved = gm.GapState.RESOLVED.value
    for key, row in gaps.items():
        if key in wanted:
            continue
        prov = resolving_provenance(net, row[4], row[5], row[6], row[10])
        row[13], row[14] = resolved, now
        row[15] += 1
        counts.gaps_answered += 1
        rows.events.add(
            (
                rows.next_id(),
                row[0],
                gm.EventKind.RESOLVED.value,
                resolved,
                prov.source.value if prov else "",
                prov.detail if prov else "",
                actor_id,
                now,
            )
        )
