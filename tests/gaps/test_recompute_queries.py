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
from kinmap.records.pipelined import instances, model_rows, rows_of
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
# (one), and the record's extensions (one), in a savepoint; no write.
UNCHANGED_QUERIES_AT_MOST = 20
UNCHANGED_ROUND_TRIPS_POSTGRESQL = 5


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
