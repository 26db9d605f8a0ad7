"""Rows written in bulk without model instances: COPY on PostgreSQL
(``executemany`` of one INSERT elsewhere, such as SQLite).

Building a Django instance and having ``bulk_create`` compile an INSERT with a
parameter per value costs far more of the process's time than writing the row:
``kinmap synth`` writes its rows this way (:mod:`kinmap.records.synth_bulk`), and
so does the background recompute after a rule setting changed (a gap's events,
thousands a batch). COPY returns no ids: for rows nothing points at yet.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin


def field_default(f: models.Field[Any, Any], now: datetime) -> Any:
    """What a row not naming field ``f`` gets: ``now`` for an ``auto_now`` or
    ``auto_now_add`` date-time, else the field's default (JSON as text, a
    choice as its value)."""
    if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
        return now
    value = f.get_default()
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    if isinstance(value, models.Choices):
        return value.value
    return value


def rows_copy(model: type[Model], attnames: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Write ``rows`` (values of ``attnames``, ready for the database: JSON as
    text, a choice as its value) into ``model``'s table: COPY on PostgreSQL,
    ``executemany`` elsewhere. Every NOT NULL column without a database
    default must be named. Raises the database's error for a row it refuses
    (the caller's transaction is then broken, as with any failed INSERT)."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_attname[n].column for n in attnames]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy_seen(cursor, f"COPY {table} ({names}) FROM STDIN", rows)
            return
        stamp = tuple(i for i, n in enumerate(attnames) if isinstance(by_attname[n], models.DateTimeField))
        if stamp:
            adapt = connection.ops.adapt_datetimefield_value
            rows = [tuple(adapt(v) if i in stamp else v for i, v in enumerate(r)) for r in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _copy_seen(cursor: Any, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run the COPY ``sql`` with ``rows`` as a statement Django sees: through
    the connection's execute wrappers and, when queries are logged (DEBUG,
    ``assertNumQueries``), logged as one query, like the INSERT it stands for."""

    def copy(sql: str, params: Any, many: bool, context: Any) -> None:
        db = context["connection"]
        db.validate_no_broken_transaction()  # as Django's own execute does
        with db.wrap_database_errors, context["cursor"].cursor.copy(sql) as out:
            for row in rows:
                out.write_row(row)

    logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
    with logged:
        cursor._execute_with_wrappers(sql, None, False, executor=copy)


def rows_insert(
    model: type[Model], attnames: Sequence[str], rows: Sequence[tuple[Any, ...]], *, now: datetime
) -> int:
    """:func:`rows_copy` of ``rows`` (values of ``attnames``), every other
    column (but an automatic id) given its field's default
    (:func:`field_default`, ``now`` for ``auto_now`` date-times). Returns the
    number of rows written (none: no query)."""
    if not rows:
        return 0
    named = set(attnames)
    rest = [
        f for f in model._meta.concrete_fields if f.attname not in named and not isinstance(f, AutoFieldMixin)
    ]
    fill = tuple(field_default(f, now) for f in rest)
    rows_copy(model, [*attnames, *(f.attname for f in rest)], [(*r, *fill) for r in rows])
    return len(rows)
