"""Prepared statements forgotten by the server behind the process's back (a
connection pooler's reset, ``DISCARD ALL``, ``DEALLOCATE ALL``) are prepared
again rather than failing every later read of a family on that connection."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records.pipelined import FixedQueries, rows_of
from tests.gaps.family import seed_family

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _people() -> FixedQueries:
    return FixedQueries(
        lambda ids: [
            m.Person.objects.filter(pk__in_ids=ids).order_by("pk").values_list("pk", "given_name"),
            m.PersonFact.objects.filter(person_id__in_ids=ids).order_by("pk").values_list("pk", "key"),
        ]
    )


def _forget() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does to them


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reset", ["DEALLOCATE ALL", "DISCARD ALL"])
def test_outside_a_transaction_statements_the_server_forgot_are_prepared_again(
    owner: User, reset: str
) -> None:
    f = seed_family(owner)
    ids = sorted(m.NetworkMember.objects.filter(network=f.network).values_list("person_id", flat=True))
    fixed = _people()
    expected = rows_of(fixed.bind(ids))  # prepared
    assert expected[0]
    with connection.cursor() as cursor:
        cursor.execute(reset)  # in autocommit, as a pooler resetting the server connection does
    assert rows_of(fixed.bind(ids)) == expected
    assert rows_of(fixed.bind(ids)) == expected


@pytest.mark.django_db
def test_in_a_transaction_only_the_read_that_found_them_gone_fails(owner: User) -> None:
    f = seed_family(owner)
    ids = sorted(m.NetworkMember.objects.filter(network=f.network).values_list("person_id", flat=True))
    fixed = _people()
    expected = rows_of(fixed.bind(ids))
    with transaction.atomic():
        _forget()
    with pytest.raises(Exception, match="does not exist"), transaction.atomic():
        rows_of(fixed.bind(ids))
    assert rows_of(fixed.bind(ids)) == expected  # prepared again, under new names
