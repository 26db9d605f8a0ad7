"""JSON columns read by ``rows_of`` (a family's people's provenance, its
gaps' missing details) are the values Django's converter gives, read without
its calls for each value; a text the quick reading does not take whole (a
space around it, say) still goes through Django's converter."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import JSONField, Value

from kinmap.records import models as m
from kinmap.records.pipelined import FixedQueries, rows_of

pytestmark = pytest.mark.django_db

VALUES: list[Any] = [
    {},
    {"birth_date": {"source": "said-by", "detail": "the mother", "at": "2026-01-01T10:00:00+00:00"}},
    {"nested": [1, 2.5, -3e-7, 10**20, True, False, None, 'caf\u00e9 \u2603 "quoted" \\ \n']},
    [],
    ["name", "birth_date"],
    "just a text",
    12,
    Value(None, JSONField()),  # JSON's null (not SQL's)
]


def _people() -> list[int]:
    return [
        m.Person.objects.create(given_name=f"Json{i}", family_name="Testfamily", provenance=value).pk
        for i, value in enumerate(VALUES)
    ]


def test_json_columns_read_together_are_the_values_django_gives() -> None:
    ids = _people()
    if connection.vendor == "sqlite":  # a text stored with spaces around it: Django's converter reads it
        with connection.cursor() as cursor:
            spaced = """UPDATE records_person SET provenance = ' {"a": [1]} ' WHERE id = %s"""
            cursor.execute(spaced, [ids[0]])
    columns = ("pk", "provenance", "given_name")
    query = m.Person.objects.filter(pk__in=ids).order_by("pk").values_list(*columns)
    expected = list(query)
    fixed = FixedQueries(
        lambda people: [m.Person.objects.filter(pk__in_ids=people).order_by("pk").values_list(*columns)]
    )
    for got in (rows_of(query)[0], rows_of(fixed.bind(ids))[0], rows_of(fixed.bind(ids), query)[1]):
        assert got == expected
        assert repr(got) == repr(expected)  # the same types (1 and 1.0, True and 1 differ here)
    if connection.vendor == "sqlite":
        assert expected[0][1] == {"a": [1]}
    first = rows_of(query)[0]
    assert first[1][1] is not rows_of(query)[0][1][1]  # each read its own values, never shared
