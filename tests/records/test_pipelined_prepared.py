"""A fixed query run for one family's few ids is prepared once per connection
on PostgreSQL and executed by name after that; it reads what the same query
reads sent as text, and a text that failed after preparing does not leave
later reads asking for statements that may or may not exist. Instances made
from rows are those Django makes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as m
from kinmap.records import pipelined
from kinmap.records.pipelined import PREPARED_MAX_IDS, FixedQueries, instances, model_rows, rows_of
from tests.gaps.family import seed_family

pytestmark = pytest.mark.django_db


def _facts() -> FixedQueries:
    return FixedQueries(
        lambda people: [
            m.PersonFact.objects.filter(person_id__in_ids=people)
            .exclude(key="100%")  # a percent sign in the text, and a parameter that is not the list
            .order_by("pk")
            .values_list("person_id", "key", "value", "recorded_at"),
            m.Person.objects.filter(pk__in_ids=people).order_by("pk").values_list("pk", "given_name"),
        ]
    )


def _texts(fn: Callable[[], object]) -> list[str]:
    sent: list[str] = []

    def keep(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        fn()
    return sent


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_a_few_ids_and_many_read_what_the_queries_built_each_time_read(owner: User) -> None:
    f = seed_family(owner)
    m.PersonFact.objects.create(person=f.father, key="100%", value="left out")
    ids = sorted(m.NetworkMember.objects.filter(network=f.network).values_list("person_id", flat=True))
    facts = (
        m.PersonFact.objects.filter(person_id__in=ids)
        .exclude(key="100%")
        .order_by("pk")
        .values_list("person_id", "key", "value", "recorded_at")
    )
    people = m.Person.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "given_name")
    expected = [list(facts), list(people)]
    assert expected[0] and expected[1]
    fixed = _facts()
    many = ids + list(range(10**9, 10**9 + PREPARED_MAX_IDS))  # more ids than are prepared for
    for _ in range(3):  # preparing, then executing by name, on either path
        assert rows_of(fixed.bind(ids)) == expected
        assert rows_of(fixed.bind(many)) == expected
    assert rows_of(fixed.bind([])) == [[], []]
    # with a query of the caller's in the same text (its parameters filled in by the cursor)
    assert rows_of(fixed.bind(ids), facts) == [*expected, expected[0]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_a_few_ids_are_prepared_once_and_many_are_not(owner: User) -> None:
    f = seed_family(owner)
    ids = sorted(m.NetworkMember.objects.filter(network=f.network).values_list("person_id", flat=True))
    fixed = _facts()
    first = _texts(lambda: rows_of(fixed.bind(ids)))
    again = _texts(lambda: rows_of(fixed.bind(ids[:1])))
    many = _texts(lambda: rows_of(fixed.bind(ids + list(range(10**9, 10**9 + PREPARED_MAX_IDS)))))
    assert len(first) == len(again) == len(many) == 1  # one text each
    assert first[0].count("PREPARE ") == 2 and first[0].count("EXECUTE ") == 2
    assert "PREPARE" not in again[0] and again[0].count("EXECUTE ") == 2
    assert "PREPARE" not in many[0] and "EXECUTE" not in many[0]
    names = {line.split()[1].split("(")[0] for line in again[0].split(";\n")}
    assert names <= _prepared_names()
    # the server keeps one plan for each (kinmap.settings: plan_cache_mode)
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        # and, kept for any number of ids, that plan never starts parallel workers
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_text_that_failed_after_preparing_is_prepared_again_under_new_names(owner: User) -> None:
    f = seed_family(owner)
    ids = sorted(m.NetworkMember.objects.filter(network=f.network).values_list("person_id", flat=True))
    fixed = _facts()

    def fail_after(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        execute(sql, params, many, context)  # prepared on the server
        raise RuntimeError("lost before the answer was read")

    with connection.execute_wrapper(fail_after), pytest.raises(RuntimeError):
        rows_of(fixed.bind(ids))
    retried = _texts(lambda: rows_of(fixed.bind(ids)))
    assert retried[0].count("PREPARE ") == 2  # not "EXECUTE" of statements it cannot know exist
    assert rows_of(fixed.bind(ids))[1] == sorted(
        m.Person.objects.filter(pk__in=ids).values_list("pk", "given_name")
    )


def test_instances_are_those_django_makes(owner: User) -> None:
    f = seed_family(owner)
    gs.gaps_recompute(network=f.network, actor=owner)
    for queryset in (gm.Gap.objects.filter(network=f.network), m.FamilyNetwork.objects.all()):
        queryset = queryset.order_by("pk")
        (rows,) = rows_of(model_rows(queryset))
        made, django = instances(queryset.model, rows), list(queryset)
        assert made and [type(x) for x in made] == [type(x) for x in django]
        assert [_attributes(x) for x in made] == [_attributes(x) for x in django]
        assert all(not x._state.adding and x._state.db == "default" for x in made)


def test_instances_of_a_model_watched_as_it_is_made_go_through_init(owner: User) -> None:
    from django.db.models.signals import post_init

    seen: list[object] = []

    def watch(sender: type, instance: object, **kwargs: Any) -> None:
        seen.append(instance)

    f = seed_family(owner)
    post_init.connect(watch, sender=m.FamilyNetwork)
    try:
        (rows,) = rows_of(model_rows(m.FamilyNetwork.objects.filter(pk=f.network.pk)))
        made = instances(m.FamilyNetwork, rows)
    finally:
        post_init.disconnect(watch, sender=m.FamilyNetwork)
    assert seen == made and made[0].pk == f.network.pk
    assert not pipelined._own_making(m.FamilyNetwork)


def _attributes(instance: object) -> dict[str, Any]:
    return {k: v for k, v in vars(instance).items() if k != "_state"}
