"""Two people making the same first row at the same moment, on PostgreSQL
(no row yet to lock): the second waits for the first and is refused in
words, not with the unique constraint's IntegrityError (a server error)."""

from __future__ import annotations

import pytest
from django.db import connection

from kinmap.accounts import services as accounts
from kinmap.accounts.models import Role, Team, User
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError, StaleEdit
from tests.conftest import make_user
from tests.gaps.family import seed_family
from tests.held_open_race import second_while_first_held

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


@pytest.mark.django_db(transaction=True)
def test_two_allocations_of_one_team_at_once(admin: User, owner: User, social_team: Team) -> None:
    f = seed_family(owner)

    def allocate() -> None:
        accounts.allocation_add(actor=admin, network=f.network, team=social_team)

    refused = second_while_first_held(allocate, allocate)
    assert isinstance(refused, RecordError) and "already allocated" in str(refused), refused
    assert m.Allocation.objects.filter(network=f.network, team=social_team).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_answers_to_one_question_at_once(owner: User) -> None:
    f = seed_family(owner)

    said = {"network": f.network, "person": f.father, "key": "other-children", "value": "none"}

    def answer() -> None:
        s.fact_set(actor=owner, expected_version=None, **said)  # type: ignore[arg-type]

    refused = second_while_first_held(answer, answer)
    assert isinstance(refused, StaleEdit), refused
    assert m.PersonFact.objects.filter(person=f.father, key="other-children").count() == 1
