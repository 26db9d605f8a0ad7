"""Load a family's record for its page in one round trip to the database.

:func:`family_page_load` gives the same record as
:func:`kinmap.records.selectors.family_record_load` and the same
:class:`~kinmap.records.selectors.Elsewhere` as
:func:`~kinmap.records.selectors.elsewhere_load`, but every read is a
:class:`~kinmap.records.pipelined.FixedQueries` statement over the network's
id (the members, and the people one step outside, found by subqueries in the
database instead of by a first query), built and compiled once per
connection and sent together with the caller's own reads of the family (its
gaps, say): one round trip to PostgreSQL instead of one per table, and no
ORM building or compiling in the request. Who recorded each row is read with
the row (its ``recorded_by__username``), not by a query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from kinmap.accounts.models import User

from . import models as m
from .pipelined import Bound, FixedQueries, Ids, instances, related_instances, related_rows, rows_of
from .selectors import (
    Elsewhere,
    FamilyRecord,
    FixedExtension,
    RecordRows,
    _fixed_extensions,
    _load_extensions,
    elsewhere_from,
    family_records_assemble,
)

if TYPE_CHECKING:
    from kinmap.gaps.action_lists import DecisionLine
    from kinmap.gaps.selectors import FamilyGaps

_BY = ("recorded_by__username",)


def _members(ids: Ids) -> QuerySet[Any, Any]:
    """The person ids of the members of the networks ``ids`` (a subquery)."""
    return m.NetworkMember.objects.filter(network_id__in_ids=ids).values("person_id")


def _people_q(field: str, members: QuerySet[Any, Any]) -> Q:
    """``field`` is a member, or someone related to a member (a person of the
    record, as :func:`~kinmap.records.selectors.family_records_load` finds
    them: the members and the people one step outside)."""
    return (
        Q(**{f"{field}__in_rows": members})
        | Q(
            **{
                f"{field}__in_rows": m.Relationship.objects.filter(from_person_id__in_rows=members).values(
                    "to_person_id"
                )
            }
        )
        | Q(
            **{
                f"{field}__in_rows": m.Relationship.objects.filter(to_person_id__in_rows=members).values(
                    "from_person_id"
                )
            }
        )
    )


def _page_queries(ids: Ids) -> list[QuerySet[Any, Any]]:
    """The statements of :func:`family_page_load` for the networks ``ids``,
    in the order :func:`_assemble` reads their rows."""
    members = _members(ids)
    extensions = [x.queries.build(members) for x in _fixed()]
    return [
        related_rows(m.NetworkMember.objects.filter(network_id__in_ids=ids).order_by("pk")),
        related_rows(
            m.Relationship.objects.filter(
                Q(from_person_id__in_rows=members) | Q(to_person_id__in_rows=members)
            ).order_by("id"),
            extra=_BY,
        ),
        related_rows(m.Person.objects.filter(_people_q("id", members)).order_by("pk")),
        related_rows(m.OtherName.objects.filter(_people_q("person_id", members)).order_by("pk")),
        related_rows(m.PersonFact.objects.filter(_people_q("person_id", members)).order_by("id"), extra=_BY),
        related_rows(
            m.Residence.objects.filter(_people_q("person_id", members)).order_by("start", "pk"),
            "household",
            extra=_BY,
        ),
        related_rows(
            m.CareArrangement.objects.filter(
                Q(child_id__in_rows=members) | Q(carer_id__in_rows=members)
            ).order_by("id"),
            extra=_BY,
        ),
        related_rows(
            m.ParentalResponsibility.objects.filter(child_id__in_rows=members).order_by("id"), extra=_BY
        ),
        *(q for built in extensions for q in built),
        # elsewhere: the other networks of the record's people and of the
        # children its members care for, and who lived at its households
        m.NetworkMember.objects.filter(
            _people_q("person_id", members)
            | Q(
                person_id__in_rows=m.CareArrangement.objects.filter(carer_id__in_rows=members).values(
                    "child_id"
                )
            )
        )
        .exclude(network_id__in_ids=ids)
        .order_by("network_id")
        .values_list("person_id", "network_id"),
        m.Residence.objects.filter(
            household_id__in_rows=m.Residence.objects.filter(person_id__in_rows=members).values(
                "household_id"
            )
        ).values_list("household_id", "person__memberships__network_id"),
    ]


def _fixed() -> list[FixedExtension]:
    """The fixed forms of the extensions registered with
    :func:`~kinmap.records.selectors.on_family_load` (in their order)."""
    return [_fixed_extensions[fn] for fn in _load_extensions if fn in _fixed_extensions]


_PAGE = FixedQueries(_page_queries)


def family_page_load(
    network: m.FamilyNetwork, user: User, also: Sequence[Bound | QuerySet[Any, Any]] = ()
) -> tuple[FamilyRecord, Elsewhere, list[list[tuple[Any, ...]]]]:
    """The record of ``network`` now (as ``family_record_load(network)``),
    what may be said to ``user`` about its people recorded elsewhere (as
    ``elsewhere_load(record, user)``), and the rows of ``also`` (the caller's
    own reads: fixed queries bound to their ids, or plain ``values_list``
    querysets; sent in the same round trip), in their order.

    Twelve statements whatever the size of the family (and those of
    ``also``), sent together to PostgreSQL (one after another on SQLite);
    then ``elsewhere_load``'s own when its people are recorded elsewhere or a
    member has a partner recorded only elsewhere."""
    db = network._state.db or "default"
    rows = rows_of(*also, _PAGE.bind([network.pk], db))
    theirs = sum(b.count() if isinstance(b, Bound) else 1 for b in also)
    also_rows, mine = rows[:theirs], rows[theirs:]
    record = _assemble(network, mine, db)
    elsewhere = elsewhere_from(record, user, mine[-2], mine[-1])
    return record, elsewhere, also_rows


def _assemble(network: m.FamilyNetwork, rows: list[list[tuple[Any, ...]]], db: str) -> FamilyRecord:
    member_rows, rel_rows, people_rows, name_rows, fact_rows, stay_rows, care_rows, pr_rows = rows[:8]
    usernames: dict[int, str] = {}

    def own(model: type[Any], found: list[tuple[Any, ...]], *related: str) -> list[Any]:
        out = []
        for obj, extra in related_instances(model, found, *related, using=db):
            if extra and obj.recorded_by_id:
                usernames[obj.recorded_by_id] = extra[0]
            out.append(obj)
        return out

    people = {p.pk: p for p in instances(m.Person, people_rows, using=db)}
    members = instances(m.NetworkMember, member_rows, using=db)
    for mem in members:  # one instance a person, as the record's people (select_related's)
        mem.person = people[mem.person_id]
    record_rows = RecordRows(
        members=members,
        people=people,
        relationships=own(m.Relationship, rel_rows),
        names=instances(m.OtherName, name_rows, using=db),
        facts=own(m.PersonFact, fact_rows),
        residences=own(m.Residence, stay_rows, "household"),
        care=own(m.CareArrangement, care_rows),
        parental_responsibility=own(m.ParentalResponsibility, pr_rows),
        usernames=usernames,
    )
    (record,) = family_records_assemble([network], record_rows, extensions=False)
    extension_rows = rows[8:-2]
    for fn in _load_extensions:
        fixed = _fixed_extensions.get(fn)
        if fixed is None:
            extended = fn([record])
        else:
            count = len(fixed.queries.compiled(db))
            extended = fixed.apply([record], extension_rows[:count])
            extension_rows = extension_rows[count:]
        record.graph_network = extended[0]
    return record


@dataclass(frozen=True)
class FamilyPage:
    """What the family page reads (now, not as at a past day): the record,
    what may be said about its people recorded elsewhere, the open gaps with
    the user's open contact, supervision's decisions with their actions, and
    the information materials' titles by code."""

    record: FamilyRecord
    elsewhere: Elsewhere
    gaps: FamilyGaps
    decisions: list[DecisionLine]
    material_titles: dict[str, str]


def family_page_reads(network: m.FamilyNetwork, user: User) -> FamilyPage:
    """Everything the family page of ``network`` reads for ``user`` but the
    network itself: :func:`family_page_load` with the gaps
    (:data:`kinmap.gaps.selectors.FAMILY_GAPS`), supervision's decisions
    (:data:`kinmap.gaps.action_lists.FAMILY_DECISIONS`), the materials'
    titles (:data:`kinmap.carers.selectors.MATERIAL_TITLES`) and the count
    next to "Notifications" (kept for the navigation:
    :func:`kinmap.sharing.context.notification_count_read`), in one round
    trip to PostgreSQL (nineteen statements on SQLite)."""
    from kinmap.carers.selectors import MATERIAL_TITLES
    from kinmap.gaps.action_lists import FAMILY_DECISIONS, family_decisions_from
    from kinmap.gaps.selectors import FAMILY_GAPS, family_gaps_from
    from kinmap.sharing.context import counts_of, notification_count_read

    db = network._state.db or "default"
    gaps = FAMILY_GAPS.bind([network.pk], db)
    decisions = FAMILY_DECISIONS.bind([network.pk], db)
    also = (gaps, decisions, MATERIAL_TITLES.bind([], db), counts_of(user))
    record, elsewhere, rows = family_page_load(network, user, also)
    n = gaps.count()  # then the decisions (1), the materials (1) and the counts (1)
    notification_count_read(user, rows[n + 2])
    return FamilyPage(
        record,
        elsewhere,
        family_gaps_from(network.pk, user, rows[:n]),
        family_decisions_from(network, user, rows[n : n + 1]),
        dict(rows[n + 1]),
    )
