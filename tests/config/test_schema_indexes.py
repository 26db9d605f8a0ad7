"""No index that another index of the same table already gives.

Django indexes every foreign key on its own unless told not to
(``db_index=False``). Where a unique constraint or an index of the same
model begins with that key's column, the database answers a lookup by the
key from that one as well, so the key's own index is only written at every
insert and never chosen: kinmap's largest tables (the match keys, the
people's facts, the gaps' events) carried several. A foreign key that most
rows leave empty is indexed only where it is set (a partial index), which
is all a lookup by it reads.

The models of django-simple-history's record-time history are left out:
the library makes their indexes itself (every foreign key of a history
model is indexed, whatever the model it follows says).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models


def _kinmap_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("kinmap.") and not model.__name__.startswith("Historical")
    ]


def _leading(model: type[models.Model]) -> dict[str, list[str]]:
    """The fields that a whole-table index or unique constraint of ``model``
    begins with, and those indexes' names."""
    found: dict[str, list[str]] = {}
    if isinstance(model._meta.pk, models.CompositePrimaryKey):
        found.setdefault(model._meta.pk.field_names[0], []).append("the primary key")
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
        ):
            found.setdefault(constraint.fields[0], []).append(constraint.name)
    for index in model._meta.indexes:
        if index.fields and index.condition is None:
            found.setdefault(index.fields[0].lstrip("-"), []).append(index.name or "")
    for together in model._meta.unique_together:
        found.setdefault(together[0], []).append(str(together))
    return found


def test_no_foreign_key_has_an_index_that_another_of_its_table_begins_with() -> None:
    doubled = []
    for model in _kinmap_models():
        leading = _leading(model)
        doubled += [
            f"{model._meta.label}.{field.name} (also {', '.join(leading[field.name])})"
            for field in model._meta.concrete_fields
            if isinstance(field, models.ForeignKey) and field.db_index and field.name in leading  # type: ignore[attr-defined]
        ]
    assert doubled == []


def test_the_check_finds_a_doubled_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above, on a model made to break it, names the field."""
    from kinmap.matching.models import PersonMatchKey

    monkeypatch.setattr(PersonMatchKey._meta.get_field("person"), "db_index", True)
    with pytest.raises(AssertionError, match=r"matching.PersonMatchKey.person \(also the primary key\)"):
        test_no_foreign_key_has_an_index_that_another_of_its_table_begins_with()


@pytest.mark.django_db
def test_the_database_has_no_index_on_a_foreign_key_that_another_index_begins_with() -> None:
    """The migrated database agrees with the models: no single-column index
    (not unique, not partial) of a kinmap table whose column begins another
    of its indexes or unique constraints (history tables left out, as above)."""
    assert _doubled_in_database() == []


@pytest.mark.django_db
def test_the_database_check_finds_a_doubled_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX planted_person ON matching_personmatchkey (person_id)")
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "matching_personmatchkey")
    (primary_key,) = [name for name, c in found.items() if c["primary_key"]]  # (person_id, key)
    assert _doubled_in_database() == [
        f"matching_personmatchkey.planted_person (person_id; also {primary_key})"
    ]


def _doubled_in_database() -> list[str]:
    tables = {model._meta.db_table for model in _kinmap_models()}
    doubled = []
    with connection.cursor() as cursor:
        for table in sorted(tables):
            found = connection.introspection.get_constraints(cursor, table)
            whole = {
                name: tuple(c["columns"])
                for name, c in found.items()
                if (c["index"] or c["unique"] or c["primary_key"])
                and not c["foreign_key"]
                and c["columns"]
                and not _partial(cursor, name)
            }
            for name, columns in whole.items():
                if found[name]["unique"] or found[name]["primary_key"] or len(columns) != 1:
                    continue
                longer = [other for other, cols in whole.items() if len(cols) > 1 and cols[0] == columns[0]]
                if longer:
                    doubled.append(f"{table}.{name} ({columns[0]}; also {', '.join(sorted(longer))})")
    return doubled


def _partial(cursor: Any, name: str) -> bool:
    """Whether the index ``name`` has a WHERE (PostgreSQL and SQLite both
    keep it in the index's definition)."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
    else:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name])
    row = cursor.fetchone()
    return bool(row and row[0] and " WHERE " in row[0].upper())
