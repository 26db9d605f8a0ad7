"""The match keys' table: the person and the key are its primary key (no
number of its own), and the migration that made it so keeps every key, both
ways."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kinmap.matching.keys import person_match_keys_refresh
from kinmap.matching.models import PersonMatchKey
from kinmap.records import models as m

BEFORE = ("matching", "0002_foreign_key_indexes_covered_or_partial")
AFTER = ("matching", "0003_person_and_key_are_the_primary_key")


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _rows() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id, key FROM matching_personmatchkey ORDER BY person_id, key")
        return [(int(p), str(k)) for p, k in cursor.fetchall()]


def _columns() -> list[str]:
    with connection.cursor() as cursor:
        return [
            c.name for c in connection.introspection.get_table_description(cursor, "matching_personmatchkey")
        ]


@pytest.mark.django_db
def test_a_key_is_kept_once_a_person_and_the_table_has_no_number() -> None:
    person = m.Person.objects.create(given_name="Ada", family_name="Keyes")
    assert person_match_keys_refresh(person_ids=[person.pk]) > 0
    keys = list(PersonMatchKey.objects.filter(person=person))
    assert keys and keys[0].pk == (person.pk, keys[0].key)
    assert "id" not in _columns()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonMatchKey.objects.create(person=person, key=keys[0].key)
    person.delete()  # the keys go with the person
    assert not PersonMatchKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_key_both_ways() -> None:
    people = [m.Person.objects.create(given_name=g, family_name="Keyes") for g in ("Ada", "Ben")]
    _migrate(BEFORE)
    try:
        assert "id" in _columns()
        with connection.cursor() as cursor:
            for p in people:
                for key in ("surname:keyes", f"given:{p.given_name.lower()}"):
                    cursor.execute(
                        "INSERT INTO matching_personmatchkey (person_id, key) VALUES (%s, %s)", [p.pk, key]
                    )
        kept = _rows()
        assert len(kept) == 4
        _migrate(AFTER)
        assert _rows() == kept and "id" not in _columns()
        _migrate(BEFORE)
        assert _rows() == kept and "id" in _columns()
    finally:
        _migrate(AFTER)
    assert _rows() == kept
