"""Load only the pure networks of family networks, for the gap recompute.

:func:`family_networks_load` gives for each family network the same pure
network (:class:`kinmap.core.model.Network`) as
:func:`kinmap.records.selectors.family_records_load`, but reads plain column
values (``values_list``) instead of building a model instance per row, with
queries built and compiled once and sent together in one round trip: the
recompute after every change needs the network, not the rows a page shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from kinmap.core import model as core
from kinmap.core.vocab import CarePlace, DateAccuracy, NameKind, PRBasis, Sex, Source

from . import models as m
from .pipelined import Bound, FixedQueries, Ids, rows_of
from .selectors import FamilyRecord, _fixed_extensions, _load_extensions

E = TypeVar("E", bound=Enum)

_PERSON = (
    "given_name",
    "family_name",
    "name_absent_reason",
    "sex",
    "birth_date",
    "birth_date_accuracy",
    "death_date",
    "nhs_number",
    "phone",
    "email",
    "phone_masked",
    "provenance",
    "seen_directly_on",
    "birth_date_latest",
    "death_date_accuracy",
    "death_date_latest",
)
_PROV = ("source", "source_detail", "recorded_by__username", "recorded_at")
# how well a period's dates are known (models.Dated), always a row's last four columns
_SPAN = ("start_accuracy", "start_latest", "end_accuracy", "end_latest")


class _Members(dict[Any, E]):
    """The members of the enum ``E`` by stored value, looked up once rather
    than by calling the enum for each row: ``members[value]`` is
    ``E(value)`` (a value no member has raises the enum's own error)."""

    def __init__(self, enum: type[E]) -> None:
        super().__init__((member.value, member) for member in enum)
        self.enum = enum

    def __missing__(self, value: Any) -> E:
        return self.enum(value)


_ACCURACY = _Members(DateAccuracy)
_SOURCE = _Members(Source)
_SEX = _Members(Sex)
_NAME_KIND = _Members(NameKind)
_CARE_PLACE = _Members(CarePlace)
_PR_BASIS = _Members(PRBasis)
_EXACT = DateAccuracy.EXACT


def _span(row: tuple[Any, ...]) -> dict[str, Any]:
    """The accuracy of a period row's dates, from its last four columns (as
    ``known_dates.span_dates`` gives them from a model instance)."""
    start_accuracy, start_latest, end_accuracy, end_latest = row[-4:]
    return {
        "start_accuracy": _ACCURACY[start_accuracy] if start_accuracy else _EXACT,
        "start_latest": start_latest,
        "end_accuracy": _ACCURACY[end_accuracy] if end_accuracy else _EXACT,
        "end_latest": end_latest,
    }


def family_networks_load(networks: Sequence[m.FamilyNetwork]) -> list[FamilyRecord]:
    """The records of ``networks``: :func:`family_networks_load_with`, sending
    no other query."""
    return family_networks_load_with(networks, ())[0]


def _members(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The members of the networks ``ids``, with their people's columns."""
    return [
        m.NetworkMember.objects.filter(network_id__in_ids=ids)
        .order_by("pk")
        .values_list("network_id", "person_id", "is_index", *(f"person__{f}" for f in _PERSON))
    ]


def _record(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The rest of the record of the members ``ids`` (person ids): the
    relationships, care and parental responsibility touching them, and their
    other names, facts and stays (:func:`_about`)."""
    return [
        m.Relationship.objects.filter(Q(from_person_id__in_ids=ids) | Q(to_person_id__in_ids=ids))
        .order_by("id")
        .values_list(
            "id", "from_person_id", "to_person_id", "type", "start", "end", "legal_basis", *_PROV, *_SPAN
        ),
        m.CareArrangement.objects.filter(Q(child_id__in_ids=ids) | Q(carer_id__in_ids=ids))
        .order_by("id")
        .values_list(
            "id",
            "carer_id",
            "child_id",
            "place",
            "frequency",
            "overnight",
            "supervised",
            "start",
            "end",
            "sleep_place",
            *_PROV,
            *_SPAN,
        ),
        m.ParentalResponsibility.objects.filter(child_id__in_ids=ids)
        .order_by("id")
        .values_list(
            "id", "person_id", "child_id", "basis", "start", "end", *_PROV, "local_authority", *_SPAN
        ),
        *_names_facts(ids),
        _stays(ids),
    ]


def _outside(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The people ``ids`` related to a member but not members, with their
    other names and facts."""
    return [m.Person.objects.filter(id__in_ids=ids).values_list("id", *_PERSON), *_names_facts(ids)]


def _names_facts(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The other names and the facts of the people ``ids``."""
    return [
        m.OtherName.objects.filter(person_id__in_ids=ids)
        .order_by("pk")
        .values_list("person_id", "kind", "given_name", "family_name"),
        m.PersonFact.objects.filter(person_id__in_ids=ids)
        .order_by("id")
        .values_list("person_id", "key", "value", *_PROV),
    ]


def _stays(ids: Ids) -> QuerySet[Any, Any]:
    """The stays of the people ``ids``, in the order the family record lists
    them: by start, then id."""
    return (
        m.Residence.objects.filter(person_id__in_ids=ids)
        .order_by("start", "pk")
        .values_list(
            "id",
            "person_id",
            "household_id",
            "start",
            "end",
            *_PROV,
            "household__address_line_1",
            "household__address_line_2",
            "household__town",
            "household__postcode",
            "household__masked",
            *_SPAN,
        )
    )


_MEMBERS = FixedQueries(_members)
_RECORD = FixedQueries(_record)
_OUTSIDE = FixedQueries(_outside)
_STAYS = FixedQueries(lambda ids: [_stays(ids)])


def family_networks_load_with(
    networks: Sequence[m.FamilyNetwork], also: Sequence[QuerySet[Any, Any] | Bound]
) -> tuple[list[FamilyRecord], list[list[tuple[Any, ...]]]]:
    """The records of ``networks`` (in their order) with only ``network``,
    ``graph_network`` (extensions registered with
    :func:`kinmap.records.selectors.on_family_load` applied), ``member_ids``
    and ``index_child_ids`` filled in; the row fields are empty. The pure
    network equals that of :func:`~kinmap.records.selectors.family_records_load`.

    At most eleven queries and the extensions', whatever the number and size
    of the families, each built and compiled once
    (:class:`~kinmap.records.pipelined.FixedQueries`), in two round trips to
    PostgreSQL (:func:`kinmap.records.pipelined.rows_of` sends a round's
    queries together): the members, then the rest of their record with the
    extensions' reads (registered with a ``fixed`` form); a third only when a
    member is related to someone outside the networks. With the first, the
    rows of ``also`` (``values_list`` querysets or bound fixed queries that
    do not depend on them: the caller's other first reads), sent before the
    members (so a lock among them is held before the family is read)."""
    ids = [n.pk for n in networks]
    db = networks[0]._state.db or "default" if networks else "default"
    rows = rows_of(*also, _MEMBERS.bind(ids, db))
    also_rows, (members,) = rows[:-1], rows[-1:]
    member_ids = sorted({row[1] for row in members})
    extensions = [(fn, _fixed_extensions.get(fn)) for fn in _load_extensions]
    fixed = [x.queries.bind(member_ids, db) for _, x in extensions if x is not None]
    rels, care, prs, name_rows, facts, stays, *extension_rows = rows_of(_RECORD.bind(member_ids, db), *fixed)
    people_rows: dict[int, tuple[Any, ...]] = {row[1]: row[3:] for row in members}
    outside = ({r[1] for r in rels} | {r[2] for r in rels}) - set(member_ids)
    if outside:  # people related to a member, not members: their rows too (the stays again, in order)
        outside_people, outside_names, outside_facts, stays = rows_of(
            _OUTSIDE.bind(sorted(outside), db), _STAYS.bind(sorted(outside.union(member_ids)), db)
        )
        for row in outside_people:
            people_rows[row[0]] = row[1:]
        name_rows, facts = name_rows + outside_names, facts + outside_facts
    names: dict[int, list[core.OtherName]] = defaultdict(list)
    for pid, kind, given, family in name_rows:
        names[pid].append(core.OtherName(_NAME_KIND[kind], given, family))
    records = _assemble(networks, members, people_rows, names, facts, rels, stays, care, prs)
    for fn, x in extensions:
        if x is None:
            extended = fn(records)
        else:
            count = len(x.queries.compiled(db))
            extended = x.apply(records, extension_rows[:count])
            extension_rows = extension_rows[count:]
        for record, network in zip(records, extended, strict=True):
            record.graph_network = network
    return records, also_rows


def _prov(row: tuple[Any, ...], at: int) -> core.Provenance | None:
    """The provenance in the four columns of ``row`` from ``at`` (as
    ``selectors._row_prov`` makes it; the third is who recorded it, by
    username)."""
    source, detail, by, when = row[at : at + 4]
    if not source:
        return None
    return core.Provenance(_SOURCE[source], detail, by or "", when)


def _person(
    pid: int, row: tuple[Any, ...], names: list[core.OtherName], facts: dict[str, core.Fact]
) -> core.Person:
    (given, family, absent, sex, born, accuracy, died, nhs, phone, email, masked, provenance, seen) = row[:13]
    born_latest, died_accuracy, died_latest = row[13:16]
    prov = {}
    for name, rec in (provenance or {}).items():
        if rec.get("source", ""):
            at = rec.get("at")
            prov[name] = core.Provenance(
                _SOURCE[rec["source"]],
                rec.get("detail", ""),
                rec.get("by", ""),
                datetime.fromisoformat(at) if at else None,
            )
    return core.Person(
        id=pid,
        given_name=given,
        family_name=family,
        name_absent_reason=absent,
        other_names=tuple(names),
        sex=_SEX[sex],
        birth_date=born,
        birth_date_accuracy=_ACCURACY[accuracy],
        birth_date_latest=born_latest,
        death_date=died,
        death_date_accuracy=_ACCURACY[died_accuracy] if died_accuracy else _EXACT,
        death_date_latest=died_latest,
        nhs_number=nhs,
        phone=phone,
        email=email,
        phone_masked=masked,
        provenance=prov,
        facts=facts,
        seen_directly_on=seen,
    )


def _assemble(
    networks: Sequence[m.FamilyNetwork],
    members: list[tuple[Any, ...]],
    people_rows: dict[int, tuple[Any, ...]],
    names: dict[int, list[core.OtherName]],
    fact_rows: list[tuple[Any, ...]],
    rels: list[tuple[Any, ...]],
    stays: list[tuple[Any, ...]],
    care_rows: list[tuple[Any, ...]],
    pr_rows: list[tuple[Any, ...]],
) -> list[FamilyRecord]:
    """The records from the rows, as ``selectors.family_records_assemble``
    puts them together (no queries but the extensions')."""
    facts: dict[int, dict[str, core.Fact]] = defaultdict(dict)
    for row in fact_rows:
        facts[row[0]][row[1]] = core.Fact(row[1], row[2], _prov(row, 3))
    people = {
        pid: _person(pid, row, names.get(pid, []), facts.get(pid, {})) for pid, row in people_rows.items()
    }
    by_network: dict[int, list[tuple[Any, ...]]] = {n.pk: [] for n in networks}
    members_of: dict[int, set[int]] = defaultdict(set)
    for row in members:
        by_network[row[0]].append(row)
        members_of[row[1]].add(row[0])

    def networks_of(*pids: int) -> set[int]:
        return set().union(*(members_of.get(pid, ()) for pid in pids))

    rels_of: dict[int, list[core.Relationship]] = defaultdict(list)
    for r in rels:
        rel = core.Relationship(r[0], r[1], r[2], r[3], r[4], r[5], _prov(r, 7), r[6], **_span(r))
        for nid in networks_of(r[1], r[2]):
            rels_of[nid].append(rel)
    care_of: dict[int, list[core.CareArrangement]] = defaultdict(list)
    for c in care_rows:
        arrangement = core.CareArrangement(
            c[0],
            c[1],
            c[2],
            _CARE_PLACE[c[3]],
            c[4],
            c[5],
            c[6],
            c[7],
            c[8],
            c[9],
            _prov(c, 10),
            **_span(c),
        )
        for nid in networks_of(c[1], c[2]):
            care_of[nid].append(arrangement)
    prs_of: dict[int, list[core.ParentalResponsibility]] = defaultdict(list)
    orders_of: dict[int, list[core.CareOrder]] = defaultdict(list)
    for x in pr_rows:
        if x[1] is None:  # no person: the local authority's, under a care order
            care_order = core.CareOrder(x[0], x[2], x[10], x[4], x[5], _prov(x, 6), **_span(x))
            for nid in members_of.get(x[2], ()):
                orders_of[nid].append(care_order)
            continue
        basis = _PR_BASIS[x[3]]
        pr = core.ParentalResponsibility(x[0], x[1], x[2], basis, x[4], _prov(x, 6), x[5], **_span(x))
        for nid in members_of.get(x[2], ()):
            prs_of[nid].append(pr)
    stays_of: dict[int, list[tuple[int, core.Residence, core.Household]]] = defaultdict(list)
    for i, s in enumerate(stays):
        home = core.Household(s[2], s[9], s[10], s[11], s[12], s[13])
        stays_of[s[1]].append(
            (i, core.Residence(s[0], s[1], s[2], s[3], s[4], _prov(s, 5), **_span(s)), home)
        )

    records = []
    for network in networks:
        mine = by_network[network.pk]
        member_ids = {row[1] for row in mine}
        net_rels = rels_of.get(network.pk, [])
        outside = ({r.from_id for r in net_rels} | {r.to_id for r in net_rels}) - member_ids
        order = (*(row[1] for row in mine), *sorted(outside))
        net_stays = sorted((x for pid in set(order) for x in stays_of.get(pid, ())), key=lambda x: x[0])
        index = sorted(row[1] for row in mine if row[2])
        graph_network = core.Network(
            id=network.pk,
            name=network.name,
            index_child_ids=tuple(index),
            people={pid: people[pid] for pid in order},
            relationships=tuple(net_rels),
            households={home.id: home for _, _, home in net_stays},
            residences=tuple(r for _, r, _ in net_stays),
            care=tuple(care_of.get(network.pk, [])),
            parental_responsibility=tuple(prs_of.get(network.pk, [])),
            care_orders=tuple(orders_of.get(network.pk, [])),
            outside_ids=frozenset(outside),
        )
        records.append(
            FamilyRecord(
                network=network,
                graph_network=graph_network,
                people={},
                relationships=[],
                households={},
                residences=[],
                care=[],
                parental_responsibility=[],
                index_child_ids=index,
                member_ids=member_ids,
            )
        )
    return records
