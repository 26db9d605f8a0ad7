"""Run several independent read queries in one round trip to the database.

Each query of a recompute is small (one family's rows), so on PostgreSQL its
time is the network round trip, not the work. :func:`rows_of` sends all the
queries it is given before reading any answer (psycopg's pipeline mode,
https://www.psycopg.org/psycopg3/docs/advanced/pipeline.html), so that a
family's record loads in one round trip instead of one per table. On SQLite
(in the process: no round trip) they run one after another.

Every query still goes through Django's cursor, so it is counted, logged and
seen by the execute wrappers like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable

M = TypeVar("M", bound=Model)


def rows_of(*querysets: QuerySet[Any, Any]) -> list[list[tuple[Any, ...]]]:
    """The rows of each ``values_list`` queryset (not ``flat``, not ``named``),
    in the order given: a list of tuples each, with the same values (Django's
    converters applied) as ``list(queryset)``. The querysets must not depend
    on each other's answers (use subqueries) and must share one database.

    Raises ``TypeError`` for a queryset that is not a plain ``values_list``."""
    if not querysets:
        return []
    db = querysets[0].db
    compiled = []
    for qs in querysets:
        if qs._iterable_class is not ValuesListIterable or qs.db != db:
            raise TypeError("rows_of takes plain values_list querysets of one database")
        compiler = qs.query.get_compiler(using=db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # an empty "in" list: no rows, no query
            compiled.append((compiler, None, ()))
            continue
        compiled.append((compiler, sql, params))
    connection = connections[db]
    connection.ensure_connection()
    cursors = [connection.cursor() if sql is not None else None for _, sql, _ in compiled]
    try:
        if connection.vendor == "postgresql" and sum(c is not None for c in cursors) > 1:
            with connection.connection.pipeline():
                for cursor, (_, sql, params) in zip(cursors, compiled, strict=True):
                    if cursor is not None:
                        cursor.execute(sql, params)
                fetched: list[Any] = [cursor.fetchall() if cursor is not None else [] for cursor in cursors]
        else:
            fetched = []
            for cursor, (_, sql, params) in zip(cursors, compiled, strict=True):
                if cursor is not None:
                    cursor.execute(sql, params)
                fetched.append(cursor.fetchall() if cursor is not None else [])
    finally:
        for cursor in cursors:
            if cursor is not None:
                cursor.close()
    return [
        list(compiler.results_iter(results=[rows], tuple_expected=True))
        for (compiler, _, _), rows in zip(compiled, fetched, strict=True)
    ]


def model_rows(queryset: QuerySet[M, M]) -> QuerySet[M, Any]:
    """A queryset of model instances as the ``values_list`` of every column,
    for :func:`rows_of`; :func:`instances` makes the instances of its rows."""
    return queryset.values_list(*(f.attname for f in queryset.model._meta.concrete_fields))


def instances(model: type[M], rows: Sequence[tuple[Any, ...]], *, using: str = "default") -> list[M]:
    """The instances of ``model`` (as ``list(queryset)`` makes them) from the
    rows of :func:`model_rows`."""
    names = [f.attname for f in model._meta.concrete_fields]
    return [model.from_db(using, names, row) for row in rows]
