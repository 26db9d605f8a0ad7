"""Two users edit the same person at the same moment: the second is told the
record changed, and nothing the first saved is lost."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from django.db import connection, connections

from kinmap.accounts.models import Role
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import StaleEdit

from .world import build_world

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db(transaction=True)
def test_second_of_two_simultaneous_edits_is_refused_and_nothing_is_lost() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: SQLite has one writer at a time and no row locks (SELECT ... FOR UPDATE), "
            "so two connections cannot race on the same row there"
        )
    world = build_world()
    a = world.lead
    b = world.user(Role.SUPERVISOR, "health-allocated")
    person = m.Person.objects.get(pk=world.father.pk)
    version = person.version
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    def edit(name: str, user: object, phone: str) -> None:
        try:
            # Each thread has its own database connection; both loaded version N.
            row = m.Person.objects.get(pk=person.pk)
            data = dataclasses.replace(s.PersonData.of(row), phone=phone)
            network = m.FamilyNetwork.objects.get(pk=world.network.pk)
            barrier.wait()
            s.person_update(
                actor=user,  # type: ignore[arg-type]
                network=network,
                person=row,
                data=data,
                expected_version=version,
            )
            results[name] = "saved"
        except StaleEdit as exc:
            results[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=("a", a, "07700 900 111")),
        threading.Thread(target=edit, args=("b", b, "07700 900 222")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(str(type(r).__name__) if r != "saved" else "saved" for r in results.values()) == [
        "StaleEdit",
        "saved",
    ]
    winner = next(k for k, r in results.items() if r == "saved")
    loser = next(k for k, r in results.items() if r != "saved")
    assert str(results[loser]).startswith("This person has changed since this page loaded.")
    person.refresh_from_db()
    assert person.version == version + 1
    assert person.phone == {"a": "07700 900 111", "b": "07700 900 222"}[winner]


@pytest.mark.django_db(transaction=True)
def test_two_people_given_one_nhs_number_at_the_same_moment_one_is_refused() -> None:
    """One person is known once: two practitioners adding a person with the same
    NHS number at the same moment cannot both succeed (the check and the save
    are put one after the other)."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite has one writer at a time, so two connections cannot race there")
    from kinmap.records.errors import RecordError
    from tests.gaps.family import baby_nhs_number

    world = build_world()
    a = world.lead
    b = world.user(Role.SUPERVISOR, "health-allocated")
    for round_ in range(3):
        taken = baby_nhs_number(f"Twicegiven{round_}")
        barrier = threading.Barrier(2, timeout=30)
        results: dict[str, str] = {}

        def add(
            name: str,
            user: object,
            nhs_number: str,
            barrier: threading.Barrier = barrier,
            results: dict[str, str] = results,
        ) -> None:
            try:
                network = m.FamilyNetwork.objects.get(pk=world.network.pk)
                data = s.PersonData(given_name=name, family_name="Racer", nhs_number=nhs_number)
                barrier.wait()
                s.person_add(actor=user, network=network, data=data)  # type: ignore[arg-type]
                results[name] = "saved"
            except RecordError as exc:
                results[name] = exc.problems[0].field
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=add, args=("Ash", a, taken)),
            threading.Thread(target=add, args=("Bay", b, taken)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results.values()) == ["nhs_number", "saved"], results
        assert m.Person.objects.filter(nhs_number=taken).count() == 1
