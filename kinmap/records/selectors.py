"""Read the family record. Each selector loads what it needs in a fixed number
of queries, whatever the size of the family."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from kinmap.accounts.models import User
from kinmap.core import model as core
from kinmap.core.vocab import (
    CURRENT_PARTNER_CODES,
    PARENT_CODES,
    CarePlace,
    DateAccuracy,
    NameKind,
    PRBasis,
    Sex,
    Source,
)
from kinmap.records.known_dates import person_dates, span_dates

from . import membership
from . import models as m
from .members import member
from .pipelined import FixedQueries


@dataclass
class FamilyRecord:
    """A family network as loaded from the database: the pure network for the
    core, and the rows for pages that need ids, versions and provenance.

    The rows are the network's own, by the rule of
    :mod:`kinmap.records.membership`: its members, the relationships between
    them, their stays and households, and the care and parental responsibility
    between them. The pure network reaches one step further (a father's
    children by another mother, with their relationships and stays) so that the
    family graph can tell who is a half-sibling; what it holds about those
    people is for working things out, never for showing: see
    :func:`elsewhere_load` for what may be said about them."""

    network: m.FamilyNetwork
    graph_network: core.Network
    people: dict[int, m.Person]
    relationships: list[m.Relationship]
    households: dict[int, m.Household]
    residences: list[m.Residence]
    care: list[m.CareArrangement]
    parental_responsibility: list[m.ParentalResponsibility]
    index_child_ids: list[int]
    member_ids: set[int]
    # rows whose holder is the local authority under a care order (no person)
    care_orders: list[m.ParentalResponsibility] = field(default_factory=list)


# Other parts of kinmap add what they keep about a family to the pure network
# (the safety information each carer was given, say). Each extension takes the
# loaded records (one or many families) and returns the network to use for
# each, in the same order; it must run a fixed number of queries whatever the
# number and size of the families.
_load_extensions: list[Callable[[Sequence[FamilyRecord]], list[core.Network]]] = []


@dataclass(frozen=True)
class FixedExtension:
    """An extension's reads as fixed queries over the network ids
    (:class:`kinmap.records.pipelined.FixedQueries`), so the recompute's
    loader sends them with its own in one round trip; ``apply`` takes the
    records and the rows of ``queries`` (in their order) and returns what the
    extension itself returns."""

    queries: FixedQueries
    apply: Callable[[Sequence[FamilyRecord], list[list[tuple[Any, ...]]]], list[core.Network]]


_fixed_extensions: dict[Callable[[Sequence[FamilyRecord]], list[core.Network]], FixedExtension] = {}


def on_family_load(
    fn: Callable[[Sequence[FamilyRecord]], list[core.Network]], *, fixed: FixedExtension | None = None
) -> None:
    """Register an extension of the loaded networks; ``fixed``: the same
    reads and result as fixed queries (the recompute's loader uses them)."""
    if fn not in _load_extensions:
        _load_extensions.append(fn)
    if fixed is not None:
        _fixed_extensions[fn] = fixed


def _prov(source: str, detail: str, by: str, at: datetime | None) -> core.Provenance | None:
    if not source:
        return None
    return core.Provenance(member(Source, source), detail, by, at)


def _row_prov(row: m.Provenanced, usernames: dict[int, str]) -> core.Provenance | None:
    return _prov(row.source, row.source_detail, usernames.get(row.recorded_by_id or 0, ""), row.recorded_at)


def person_to_core(
    p: m.Person, names: list[m.OtherName], facts: list[m.PersonFact], usernames: dict[int, str]
) -> core.Person:
    provenance = {}
    for name, rec in (p.provenance or {}).items():
        prov = _prov(rec.get("source", ""), rec.get("detail", ""), rec.get("by", ""), None)
        if prov is not None:
            at = rec.get("at")
            provenance[name] = core.Provenance(
                prov.source, prov.detail, prov.recorded_by, datetime.fromisoformat(at) if at else None
            )
    return core.Person(
        id=p.pk,
        given_name=p.given_name,
        family_name=p.family_name,
        name_absent_reason=p.name_absent_reason,
        other_names=tuple(
            core.OtherName(member(NameKind, n.kind), n.given_name, n.family_name) for n in names
        ),
        sex=member(Sex, p.sex),
        birth_date=p.birth_date,
        birth_date_accuracy=member(DateAccuracy, p.birth_date_accuracy),
        death_date=p.death_date,
        nhs_number=p.nhs_number,
        phone=p.phone,
        email=p.email,
        phone_masked=p.phone_masked,
        provenance=provenance,
        facts={f.key: core.Fact(f.key, f.value, _row_prov(f, usernames)) for f in facts},
        seen_directly_on=p.seen_directly_on,
        **person_dates(p),
    )


def family_record_load(network: m.FamilyNetwork, *, as_at: datetime | None = None) -> FamilyRecord:
    """Load a whole family network in a fixed number of queries (at most nine,
    and those of the extensions registered with :func:`on_family_load`).

    With ``as_at`` (an aware datetime), the network as it had been recorded
    by then, rebuilt from the record-time history (django-simple-history's
    ``as_of``: one query per kind of record, whatever the size of the family):
    what a practitioner could have known at that moment. The extensions are
    not run then: what they add is kept as it is now, not as it was."""
    return family_records_load([network], as_at=as_at)[0]


def _rows(model: Any, as_at: datetime | None) -> Any:
    """The rows of ``model`` now, or as recorded at ``as_at`` (instances of
    ``model`` rebuilt from its history; deleted ones left out)."""
    return model.history.as_of(as_at) if as_at is not None else model.objects


def family_records_load(
    networks: Sequence[m.FamilyNetwork], *, as_at: datetime | None = None
) -> list[FamilyRecord]:
    """Load many family networks (a batch of a caseload, say) in the same fixed
    number of queries as one: the records in the order of ``networks``, each
    exactly as :func:`family_record_load` gives it (``as_at`` as there). A
    person in several of the networks is one row shared by their records."""
    mems = _rows(m.NetworkMember, as_at).filter(network_id__in=[n.pk for n in networks])
    if as_at is not None:  # the people too as they were recorded then (one query)
        members = list(mems.order_by("id"))
        then = {p.pk: p for p in _rows(m.Person, as_at).filter(id__in=[x.person_id for x in members])}
        for mem in members:
            if mem.person_id in then:
                mem.person = then[mem.person_id]
        members = [mem for mem in members if mem.person_id in then]
    else:
        members = list(mems.select_related("person").order_by("pk"))
    member_ids = {mem.person_id for mem in members}
    rels = list(
        _rows(m.Relationship, as_at)
        .filter(Q(from_person_id__in=member_ids) | Q(to_person_id__in=member_ids))
        .order_by("id")
    )
    # one hop outside the network: a father's children by another mother, say
    outside = ({r.from_person_id for r in rels} | {r.to_person_id for r in rels}) - member_ids
    people = {mem.person_id: mem.person for mem in members}
    people.update((p.pk, p) for p in _rows(m.Person, as_at).filter(id__in=outside))
    all_ids = set(people)
    if as_at is not None:  # a relative recorded after the record that names them
        rels = [r for r in rels if r.from_person_id in all_ids and r.to_person_id in all_ids]
    rows = RecordRows(
        members=members,
        people=people,
        relationships=rels,
        names=list(m.OtherName.objects.filter(person_id__in=all_ids).order_by("pk")),
        facts=list(_rows(m.PersonFact, as_at).filter(person_id__in=all_ids).order_by("id")),
        residences=_residences(as_at, all_ids),
        care=[
            c
            for c in _rows(m.CareArrangement, as_at)
            .filter(Q(child_id__in=member_ids) | Q(carer_id__in=member_ids))
            .order_by("id")
            if as_at is None or (c.child_id in all_ids and c.carer_id in all_ids)
        ],
        parental_responsibility=[
            x
            for x in _rows(m.ParentalResponsibility, as_at).filter(child_id__in=member_ids).order_by("id")
            if as_at is None or x.person_id is None or x.person_id in all_ids
        ],
    )
    provenanced: list[m.Provenanced] = [
        *rows.relationships,
        *rows.residences,
        *rows.care,
        *rows.parental_responsibility,
        *rows.facts,
    ]
    user_ids = {r.recorded_by_id for r in provenanced if r.recorded_by_id}
    if user_ids:
        rows.usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username"))
    return family_records_assemble(networks, rows, extensions=as_at is None)


def _residences(as_at: datetime | None, person_ids: set[int]) -> list[m.Residence]:
    """The stays of these people with their households (one query now; two as
    at a moment, the addresses as they were recorded then)."""
    if as_at is None:
        return list(
            m.Residence.objects.filter(person_id__in=person_ids)
            .select_related("household")
            .order_by("start", "pk")
        )
    stays = list(_rows(m.Residence, as_at).filter(person_id__in=person_ids).order_by("start", "id"))
    homes = {h.pk: h for h in _rows(m.Household, as_at).filter(id__in={r.household_id for r in stays})}
    for r in stays:
        if r.household_id in homes:
            r.household = homes[r.household_id]
    return [r for r in stays if r.household_id in homes]


@dataclass
class RecordRows:
    """The rows of one or many family networks, as :func:`family_records_load`
    reads them (or as a bulk load made them, with their ids): members with
    their person, every person by id (members and the people one step
    outside), relationships, other names and facts in id order, stays in
    (start, id) order with their household, care and parental responsibility
    in id order, and the user names of who recorded them by user id."""

    members: list[m.NetworkMember]
    people: dict[int, m.Person]
    relationships: list[m.Relationship]
    names: list[m.OtherName]
    facts: list[m.PersonFact]
    residences: list[m.Residence]
    care: list[m.CareArrangement]
    parental_responsibility: list[m.ParentalResponsibility]
    usernames: dict[int, str] = field(default_factory=dict)


def family_records_assemble(
    networks: Sequence[m.FamilyNetwork], rows: RecordRows, *, extensions: bool = True
) -> list[FamilyRecord]:
    """The records of ``networks`` from their rows (no queries but those of the
    extensions registered with :func:`on_family_load`), in the order of
    ``networks``: how :func:`family_records_load` and a bulk load (which has
    the rows in memory) build them alike. ``extensions`` False leaves out
    what the registered extensions add (a family as recorded at a past
    moment, which they cannot rebuild)."""
    by_network: dict[int, list[m.NetworkMember]] = {n.pk: [] for n in networks}
    members_of: dict[int, set[int]] = defaultdict(set)  # person -> networks they belong to
    for mem in rows.members:
        if mem.network_id in by_network:
            by_network[mem.network_id].append(mem)
            members_of[mem.person_id].add(mem.network_id)
    people = rows.people
    usernames = rows.usernames

    def networks_of(*pids: int) -> set[int]:
        return set().union(*(members_of.get(pid, ()) for pid in pids))

    names: dict[int, list[m.OtherName]] = {}
    for n in rows.names:
        names.setdefault(n.person_id, []).append(n)
    facts: dict[int, list[m.PersonFact]] = {}
    for f in rows.facts:
        facts.setdefault(f.person_id, []).append(f)
    rels_of: dict[int, list[m.Relationship]] = defaultdict(list)
    for r in rows.relationships:
        for nid in networks_of(r.from_person_id, r.to_person_id):
            rels_of[nid].append(r)
    care_of: dict[int, list[m.CareArrangement]] = defaultdict(list)
    for c in rows.care:
        for nid in networks_of(c.child_id, c.carer_id):
            care_of[nid].append(c)
    prs_of: dict[int, list[m.ParentalResponsibility]] = defaultdict(list)
    for pr in rows.parental_responsibility:
        for nid in members_of.get(pr.child_id, ()):
            prs_of[nid].append(pr)
    residences_of: dict[int, list[tuple[int, m.Residence]]] = defaultdict(list)
    for i, res in enumerate(rows.residences):  # kept in the query's order
        residences_of[res.person_id].append((i, res))

    records = []
    for network in networks:
        members = by_network[network.pk]
        mine = {mem.person_id for mem in members}
        net_rels = rels_of.get(network.pk, [])
        net_outside = ({r.from_person_id for r in net_rels} | {r.to_person_id for r in net_rels}) - mine
        net_people = {pid: people[pid] for pid in (*(mem.person_id for mem in members), *sorted(net_outside))}
        net_ids = set(net_people)
        net_residences = [r for _, r in sorted(x for pid in net_ids for x in residences_of.get(pid, ()))]
        records.append(
            _record(
                network,
                members,
                net_people,
                net_rels,
                net_outside,
                names,
                facts,
                net_residences,
                care_of.get(network.pk, []),
                prs_of.get(network.pk, []),
                usernames,
            )
        )
    for extend in _load_extensions if extensions else ():
        for record, extended in zip(records, extend(records), strict=True):
            record.graph_network = extended
    return records


def _record(
    network: m.FamilyNetwork,
    members: list[m.NetworkMember],
    people: dict[int, m.Person],
    rels: list[m.Relationship],
    outside: set[int],
    names: dict[int, list[m.OtherName]],
    facts: dict[int, list[m.PersonFact]],
    residences: list[m.Residence],
    care: list[m.CareArrangement],
    prs: list[m.ParentalResponsibility],
    usernames: dict[int, str],
) -> FamilyRecord:
    """One family's record from its rows (no queries). A parental
    responsibility row with no person is a care order (the local authority
    holds it): a :class:`kinmap.core.model.CareOrder` in the core."""
    member_ids = {mem.person_id for mem in members}
    orders = [pr for pr in prs if pr.person_id is None]
    prs = [pr for pr in prs if pr.person_id is not None]
    index_ids = sorted(mem.person_id for mem in members if mem.is_index)
    households = {r.household_id: r.household for r in residences}
    graph_network = core.Network(
        id=network.pk,
        name=network.name,
        index_child_ids=tuple(index_ids),
        people={
            pid: person_to_core(p, names.get(pid, []), facts.get(pid, []), usernames)
            for pid, p in people.items()
        },
        relationships=tuple(
            core.Relationship(
                r.pk,
                r.from_person_id,
                r.to_person_id,
                r.type,
                r.start,
                r.end,
                _row_prov(r, usernames),
                r.legal_basis,
                **span_dates(r),
            )
            for r in rels
        ),
        households={
            h.pk: core.Household(h.pk, h.address_line_1, h.address_line_2, h.town, h.postcode, h.masked)
            for h in households.values()
        },
        residences=tuple(
            core.Residence(
                r.pk, r.person_id, r.household_id, r.start, r.end, _row_prov(r, usernames), **span_dates(r)
            )
            for r in residences
        ),
        care=tuple(
            core.CareArrangement(
                c.pk,
                c.carer_id,
                c.child_id,
                CarePlace(c.place),
                c.frequency,
                c.overnight,
                c.supervised,
                c.start,
                c.end,
                c.sleep_place,
                _row_prov(c, usernames),
                **span_dates(c),
            )
            for c in care
        ),
        parental_responsibility=tuple(
            core.ParentalResponsibility(
                pr.pk,
                m.pr_holder_id(pr),
                pr.child_id,
                PRBasis(pr.basis),
                pr.start,
                _row_prov(pr, usernames),
                pr.end,
                **span_dates(pr),
            )
            for pr in prs
        ),
        care_orders=tuple(
            core.CareOrder(
                o.pk, o.child_id, o.local_authority, o.start, o.end, _row_prov(o, usernames), **span_dates(o)
            )
            for o in orders
        ),
        outside_ids=frozenset(outside),
    )
    own_households = membership.own_household_ids(residences, member_ids)
    return FamilyRecord(
        network=network,
        graph_network=graph_network,
        people={pid: p for pid, p in people.items() if pid in member_ids},
        relationships=[r for r in rels if membership.belongs(r, member_ids)],
        households={pk: h for pk, h in households.items() if pk in own_households},
        residences=[r for r in residences if membership.belongs(r, member_ids)],
        care=[c for c in care if membership.belongs(c, member_ids)],
        parental_responsibility=[x for x in prs if membership.belongs(x, member_ids)],
        index_child_ids=index_ids,
        member_ids=member_ids,
        care_orders=[o for o in orders if membership.belongs(o, member_ids)],
    )


def networks_for_user(user: User) -> QuerySet[m.FamilyNetwork]:
    """The family networks the user's team is currently allocated to."""
    if not user.team_id:
        return m.FamilyNetwork.objects.none()
    today = date.today()
    return (
        m.FamilyNetwork.objects.filter(
            allocations__team_id=user.team_id,
            allocations__start__lte=today,
        )
        .filter(Q(allocations__end__isnull=True) | Q(allocations__end__gt=today))
        .distinct()
        .order_by("-updated_at")
    )


def networks_of_person(person: m.Person) -> QuerySet[m.FamilyNetwork]:
    return m.FamilyNetwork.objects.filter(members__person=person).order_by("pk")


@dataclass(frozen=True)
class Elsewhere:
    """What may be said about the people of a family who are also recorded in
    other family networks, to one user.

    That someone is recorded elsewhere is shown only as a count of networks and
    the names of the agencies allocated to them; who they are there, or who a
    relative recorded only elsewhere is, only to a user who may see one of
    those networks (PRODUCT.md: access follows a legitimate relationship with
    the family)."""

    networks: dict[int, tuple[int, ...]]  # person id -> the other networks they are a member of
    agencies: dict[int, tuple[str, ...]]  # network id -> agencies with a team allocated now
    visible: frozenset[int]  # networks the user may see
    households: dict[int, tuple[int, ...]]  # household id -> the other networks it belongs to
    # partners of members, recorded only elsewhere, who are recorded as a parent
    # (for "a mother's partner in another family network"; never who they are)
    parents: frozenset[int] = frozenset()

    def count(self, person_id: int) -> int:
        """How many other networks the person is a member of."""
        return len(self.networks.get(person_id, ()))

    def agencies_of(self, person_ids: Iterable[int]) -> list[str]:
        """The agencies allocated to the other networks of these people, by name."""
        names = {
            a for pid in person_ids for n in self.networks.get(pid, ()) for a in self.agencies.get(n, ())
        }
        return sorted(names)

    def may_see(self, person_id: int) -> bool:
        """Whether the user may see one of the other networks the person is in."""
        return any(n in self.visible for n in self.networks.get(person_id, ()))

    def may_change(self, obj: membership.Shared | m.Household) -> bool:
        """Whether the user may see every other network a record of this family
        belongs to, as they must to change it (see ``kinmap.records.access``)."""
        if isinstance(obj, m.Household):
            others = set(self.households.get(obj.pk, ()))
        else:
            people = membership.people_of(obj)
            others = set(self.networks.get(people[0], ()))
            for pid in people[1:]:
                others &= set(self.networks.get(pid, ()))
        return others <= self.visible


def elsewhere_load(record: FamilyRecord, user: User) -> Elsewhere:
    """Which other networks the people of ``record`` (members, relatives
    recorded only elsewhere, and children its members care for under an
    arrangement recorded elsewhere) and its households are in, in five
    queries; and a sixth when a member has a partner recorded only elsewhere:
    which of those partners are recorded as a parent."""
    net = record.graph_network
    cared_for = {c.child_id for c in net.care if c.child_id not in net.people}
    rows = m.NetworkMember.objects.filter(person_id__in=[*net.people, *sorted(cared_for)]).exclude(
        network=record.network
    )
    lived = m.Residence.objects.filter(household_id__in=list(record.households))
    return elsewhere_from(
        record,
        user,
        list(rows.order_by("network_id").values_list("person_id", "network_id")),
        list(lived.values_list("household_id", "person__memberships__network_id")),
    )


def elsewhere_from(
    record: FamilyRecord,
    user: User,
    memberships: Iterable[tuple[int, int]],
    lived: Iterable[tuple[int, int | None]],
) -> Elsewhere:
    """:func:`elsewhere_load` from the rows of its first two queries, read
    already: ``memberships``, (person id, network id) of the people's other
    networks in network order; ``lived``, (household id, network id or None)
    of everyone who lives or lived at the record's households (rows of other
    households are left out). Runs the rest of its queries (none when no one
    is recorded elsewhere and no member has a partner recorded only
    elsewhere)."""
    from .access import visible_network_ids

    net = record.graph_network
    networks: dict[int, list[int]] = {}
    for pid, nid in memberships:
        networks.setdefault(pid, []).append(nid)
    partners = {
        pid
        for r in net.relationships
        if r.type in CURRENT_PARTNER_CODES
        for pid in (r.from_id, r.to_id)
        if pid in net.outside_ids
    }
    parents = (
        m.Relationship.objects.filter(from_person_id__in=partners, type__in=PARENT_CODES).values_list(
            "from_person_id", flat=True
        )
        if partners
        else []
    )
    households: dict[int, set[int]] = {}
    for hid, other in lived:
        if hid in record.households and other is not None and other != record.network.pk:
            households.setdefault(hid, set()).add(other)
    others = {n for ns in networks.values() for n in ns} | {n for ns in households.values() for n in ns}
    today = date.today()
    agencies: dict[int, set[str]] = {}
    current = (
        m.Allocation.objects.filter(network_id__in=others, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .values_list("network_id", "team__agency__name")
        if others
        else []
    )
    for nid, agency in current:
        agencies.setdefault(nid, set()).add(agency)
    return Elsewhere(
        networks={pid: tuple(ns) for pid, ns in networks.items()},
        agencies={nid: tuple(sorted(names)) for nid, names in agencies.items()},
        visible=frozenset(visible_network_ids(user)) if others else frozenset(),
        households={hid: tuple(sorted(ns)) for hid, ns in households.items()},
        parents=frozenset(parents),
    )


def pr_running(
    rows: Iterable[m.ParentalResponsibility], person_id: int, child_id: int, on: date
) -> m.ParentalResponsibility | None:
    """The record of ``person_id``'s parental responsibility for ``child_id``
    running on ``on`` (the latest to start, should there be more), or None."""
    running = [
        r
        for r in rows
        if r.person_id == person_id
        and r.child_id == child_id
        and (r.start is None or r.start <= on)
        and (r.end is None or r.end > on)
    ]
    return max(running, key=lambda r: (r.start or date.min, r.pk), default=None)
