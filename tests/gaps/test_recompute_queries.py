"""The recompute's reads go to the database in a few round trips, and a batch
of families (the background recompute after a rule setting changed) takes the
same number of queries whatever its size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records.graph_load import family_networks_load
from kinmap.records.pipelined import FixedQueries, instances, model_rows, rows_of
from kinmap.records.selectors import family_records_load
from tests.gaps.family import SeedFamily, seed_family

pytestmark = pytest.mark.django_db


class Counter:
    """Counts the queries sent, and the round trips they took: each query
    sent on its own is one, each PostgreSQL pipeline one more."""

    def __init__(self) -> None:
        self.queries = 0
        self.round_trips = 0
        self._pipelines: set[int] = set()

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        pipeline = getattr(connection.connection, "_pipeline", None)
        if pipeline is None:
            self.round_trips += 1
        elif id(pipeline) not in self._pipelines:
            self._pipelines.add(id(pipeline))
            self.round_trips += 1
        return execute(sql, params, many, context)


def _counted(fn: Callable[[], object]) -> Counter:
    counter = Counter()
    with connection.execute_wrapper(counter):
        fn()
    return counter


def _families(owner: User, n: int, prefix: str) -> list[SeedFamily]:
    return [seed_family(owner, name=f"{prefix}{i}") for i in range(n)]


def _change_each(families: list[SeedFamily]) -> None:
    """One change a family that resolves one of its gaps (written directly)."""
    for f in families:
        m.PersonFact.objects.create(person=f.father, key="other-names", value="none")


def _recompute_batch(families: list[SeedFamily], owner: User) -> dict[int, gs.RecomputeResult]:
    networks = [f.network for f in families]
    with transaction.atomic():
        list(m.FamilyNetwork.objects.select_for_update().filter(pk__in=[n.pk for n in networks]))
        return gs.gaps_recompute_locked(networks=networks, actor=owner)


def test_a_batch_of_families_takes_the_same_queries_whatever_its_size(owner: User) -> None:
    few, many = _families(owner, 2, "Few"), _families(owner, 6, "Many")
    unchanged = [_counted(lambda b=b: _recompute_batch(b, owner)).queries for b in (few, many)]  # type: ignore[misc]
    _change_each(few + many)
    audited = AuditEvent.objects.filter(action="recompute").count()
    results: list[dict[int, gs.RecomputeResult]] = []
    changed = [_counted(lambda b=b: results.append(_recompute_batch(b, owner))).queries for b in (few, many)]  # type: ignore[misc]
    assert unchanged[0] == unchanged[1]
    assert changed[0] == changed[1] > unchanged[0]  # the writes, in a fixed number of queries too
    # every family's gap resolved, and each audited once
    assert all(r.resolved for batch in results for r in batch.values())
    assert AuditEvent.objects.filter(action="recompute").count() == audited + len(few) + len(many)


# Nothing changed: the family's lock with its members, the rule settings, its
# gaps and what happened at contacts (one round trip), the rest of its record
# with the record's extensions (one); no savepoint, no write.
UNCHANGED_QUERIES_AT_MOST = 17
UNCHANGED_ROUND_TRIPS_POSTGRESQL = 2


def test_recomputing_an_unchanged_family_reads_in_few_round_trips_and_writes_nothing(owner: User) -> None:
    f = seed_family(owner)
    gs.gaps_recompute(network=f.network, actor=owner)
    writes: list[str] = []

    def no_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(no_writes):
        counter = _counted(lambda: gs.gaps_recompute(network=f.network, actor=owner))
    assert writes == []
    assert counter.queries <= UNCHANGED_QUERIES_AT_MOST
    if connection.vendor == "postgresql":
        assert counter.round_trips <= UNCHANGED_ROUND_TRIPS_POSTGRESQL
    else:  # no pipeline: one query, one call
        assert counter.round_trips == counter.queries


def test_rows_sent_together_are_those_read_one_by_one(owner: User) -> None:
    f = seed_family(owner)
    gs.gaps_recompute(network=f.network, actor=owner)
    gaps = gm.Gap.objects.filter(network=f.network).order_by("pk")
    facts = (
        m.PersonFact.objects.filter(person=f.father).order_by("pk").values_list("key", "value", "recorded_at")
    )
    empty = m.Person.objects.filter(id__in=[]).values_list("id")
    gap_rows, fact_rows, no_rows = rows_of(model_rows(gaps), facts, empty)
    assert no_rows == []
    assert fact_rows == list(facts)
    read = instances(gm.Gap, gap_rows)
    assert [(g.pk, g.key, g.missing, g.opened_at, g.open_since) for g in read] == [
        (g.pk, g.key, g.missing, g.opened_at, g.open_since) for g in gaps
    ]
    with pytest.raises(TypeError):
        rows_of(facts.values_list("key", flat=True))


def test_instances_made_from_rows_are_those_a_queryset_makes(owner: User) -> None:
    f = seed_family(owner)
    for queryset in (gm.Gap.objects.filter(network=f.network), m.Person.objects.filter(pk=f.father.pk)):
        queryset = queryset.order_by("pk")
        (rows,) = rows_of(model_rows(queryset))
        made, read = instances(queryset.model, rows), list(queryset)
        assert made and [type(x) for x in made] == [type(x) for x in read]
        assert [_plain(x) for x in made] == [_plain(x) for x in read]
        assert all(not x._state.adding and x._state.db == "default" for x in made)
        assert made == read  # same model, same id
        count = queryset.model.objects.count()
        made[0].save()  # an instance made so saves as one read does (an UPDATE, not an INSERT)
        assert queryset.model.objects.count() == count


def _plain(instance: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(instance).items() if k != "_state"}


def test_the_recompute_loader_gives_the_networks_of_the_full_load_in_fixed_round_trips(owner: User) -> None:
    """The recompute's loader (fixed statements compiled once, sent together)
    gives exactly the pure networks of the full loader (model instances), for
    the seed families, one of them with a father who has a child in another
    family network (someone outside it when it is loaded alone); in two round
    trips on PostgreSQL, three with someone outside, and the same number of
    queries for many families as for one."""
    families = _families(owner, 3, "Loader")
    # the father of the first has a child recorded only in the second's network
    m.Relationship.objects.create(from_person=families[1].baby, to_person=families[0].father, type="NFTH")
    networks = [f.network for f in families]
    full = [r.graph_network for r in family_records_load(networks)]
    every = Counter()
    with connection.execute_wrapper(every):
        lean = family_networks_load(networks)
    assert [r.graph_network for r in lean] == full
    first = Counter()
    with connection.execute_wrapper(first):
        alone = family_networks_load(networks[:1])
    assert [r.graph_network for r in alone] == full[:1]
    # someone outside the first network, read with the others' members when
    # all three are loaded, by a third round trip when it is loaded alone
    assert alone[0].graph_network.outside_ids == lean[0].graph_network.outside_ids == {families[1].baby.pk}
    if connection.vendor == "postgresql":
        assert (every.round_trips, first.round_trips) == (2, 3)
    else:  # one at a time: the members, their record (six), the extensions' two, then outside (four)
        assert every.queries == 1 + 6 + 2
        assert first.queries == every.queries + 4


def test_fixed_queries_read_what_the_same_queries_read_built_each_time(owner: User) -> None:
    """A fixed query bound to a list of ids reads the rows of the same query
    built for that list, on either database; a list of any length, one
    statement text."""
    f = seed_family(owner)
    ids = list(m.NetworkMember.objects.filter(network=f.network).values_list("person_id", flat=True))
    facts = FixedQueries(
        lambda people: [
            m.PersonFact.objects.filter(person_id__in_ids=people)
            .order_by("pk")
            .values_list("person_id", "key", "recorded_at")
        ]
    )
    built = (
        m.PersonFact.objects.filter(person_id__in=ids)
        .order_by("pk")
        .values_list("person_id", "key", "recorded_at")
    )
    assert rows_of(facts.bind(ids)) == [list(built)] != [[]]
    assert rows_of(facts.bind(ids[:1]), facts.bind([])) == [list(built.filter(person_id=ids[0])), []]
    assert {sql for _, sql, _, _, _ in facts.bind(ids).compiled() + facts.bind(ids[:1]).compiled()} == {
        facts.compiled("default")[0][1]
    }
