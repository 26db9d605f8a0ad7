"""Run several independent read queries in one round trip to the database.

Each query of a recompute is small (one family's rows), so on PostgreSQL its
time is the network round trip, not the work. :func:`rows_of` sends all the
queries it is given before reading any answer (psycopg's pipeline mode,
https://www.psycopg.org/psycopg3/docs/advanced/pipeline.html), so that a
family's record loads in one round trip instead of one per table. On SQLite
(in the process: no round trip) they run one after another.

Every query still goes through Django's cursor, so it is counted, logged and
seen by the execute wrappers like any other.

:class:`FixedQueries` are querysets over a list of ids that are built and
compiled to SQL once (per connection) and after that only run: building and
compiling a queryset costs far more of the process's time than sending it and
reading its few rows back.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup, Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ValuesListIterable
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)


# a query compiled: its compiler, SQL (None: no rows, no query), parameters
# and the converters of its columns (Django's, applied to the rows read)
Compiled = tuple[SQLCompiler, str | None, Sequence[Any], dict[int, Any]]


def _compile(qs: QuerySet[Any, Any], db: str) -> Compiled:
    if qs._iterable_class is not ValuesListIterable or qs.db != db:
        raise TypeError("rows_of takes plain values_list querysets of one database")
    compiler = qs.query.get_compiler(using=db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # an empty "in" list: no rows, no query
        return compiler, None, (), {}
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    return compiler, sql, params, converters


def rows_of(*querysets: QuerySet[Any, Any] | Bound) -> list[list[tuple[Any, ...]]]:
    """The rows of each ``values_list`` queryset (not ``flat``, not ``named``)
    or :class:`Bound` fixed queries, in the order given: a list of tuples
    each, with the same values (Django's converters applied) as
    ``list(queryset)``. The querysets must not depend on each other's answers
    (use subqueries) and must share one database.

    Raises ``TypeError`` for a queryset that is not a plain ``values_list``."""
    if not querysets:
        return []
    first = querysets[0]
    db = first.using if isinstance(first, Bound) else first.db
    compiled: list[Compiled] = []
    for qs in querysets:
        if isinstance(qs, Bound):
            if qs.using != db:
                raise TypeError("rows_of takes queries of one database")
            compiled.extend(qs.compiled())
        else:
            compiled.append(_compile(qs, db))
    return _run(db, compiled)


def _run(db: str, compiled: Sequence[Compiled]) -> list[list[tuple[Any, ...]]]:
    connection = connections[db]
    connection.ensure_connection()
    sent = [c for c in compiled if c[1] is not None]
    if connection.vendor == "postgresql" and len(sent) > 1:
        fetched = iter(_fetch_together(connection, sent))
    else:
        fetched = iter(_fetch_each(connection, sent))
    results: list[list[tuple[Any, ...]]] = []
    for compiler, sql, _, converters in compiled:
        rows = next(fetched) if sql is not None else []
        if converters:
            results.append([tuple(row) for row in compiler.apply_converters(rows, converters)])
        else:
            results.append([tuple(row) for row in rows])
    return results


def _fetch_each(connection: BaseDatabaseWrapper, compiled: Sequence[Compiled]) -> list[list[Any]]:
    fetched = []
    with connection.cursor() as cursor:
        for _, sql, params, _ in compiled:
            cursor.execute(str(sql), params)
            fetched.append(cursor.fetchall())
    return fetched


def _fetch_together(connection: BaseDatabaseWrapper, compiled: Sequence[Compiled]) -> list[list[Any]]:
    """The rows of each of the queries, sent together: as one text of
    statements separated by semicolons (one execute, one round trip; their
    results read in turn) when the cursor binds its parameters in the client
    (Django's default with psycopg 3), or in psycopg's pipeline mode."""
    with connection.cursor() as cursor:
        if _client_binding(cursor):
            cursor.execute(
                ";\n".join(str(sql) for _, sql, _, _ in compiled),
                [p for _, _, params, _ in compiled for p in params],
            )
            fetched = [cursor.fetchall()]
            while cursor.nextset():
                fetched.append(cursor.fetchall())
            if len(fetched) != len(compiled):
                raise RuntimeError("a statement sent together gave no rows")
            return fetched
    cursors = [connection.cursor() for _ in compiled]
    try:
        with connection.connection.pipeline():
            for cursor, (_, sql, params, _) in zip(cursors, compiled, strict=True):
                cursor.execute(str(sql), params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _client_binding(cursor: Any) -> bool:
    try:
        from psycopg import ClientCursor
    except ImportError:  # pragma: no cover - psycopg 2
        return False
    return isinstance(cursor.cursor, ClientCursor)


def model_rows(queryset: QuerySet[M, M]) -> QuerySet[M, Any]:
    """A queryset of model instances as the ``values_list`` of every column,
    for :func:`rows_of`; :func:`instances` makes the instances of its rows."""
    return queryset.values_list(*(f.attname for f in queryset.model._meta.concrete_fields))


def instances(model: type[M], rows: Sequence[tuple[Any, ...]], *, using: str = "default") -> list[M]:
    """The instances of ``model`` (as ``list(queryset)`` makes them) from the
    rows of :func:`model_rows`.

    Every column is given, so each instance is made as ``Model.from_db`` makes
    it (its attributes the row's values, its state "in ``using``, not being
    added") without going through ``Model.__init__`` for each row, which
    costs about five times as much (thousands of gaps a batch in the
    background recompute); unless the model makes its instances its own way
    or something listens for them being made (``pre_init``/``post_init``)."""
    names = [f.attname for f in model._meta.concrete_fields]
    if _own_making(model):
        return [model.from_db(using, names, row) for row in rows]
    made = []
    new = object.__new__
    for row in rows:
        obj = new(model)
        obj.__dict__.update(zip(names, row, strict=True))
        state = obj._state = ModelState()
        state.adding, state.db = False, using
        made.append(obj)
    return made


def _own_making(model: type[Model]) -> bool:
    """Whether ``model`` makes its instances otherwise than ``Model.from_db``
    and ``Model.__init__`` do, or some receiver listens for them being made."""
    return (
        model.from_db.__func__ is not Model.from_db.__func__  # type: ignore[attr-defined]
        or model.__init__ is not Model.__init__
        or pre_init.has_listeners(model)
        or post_init.has_listeners(model)
        # a field whose attribute does more on being set than keep the value
        or any(
            type(getattr(model, f.attname, None)) not in _PLAIN_ATTRIBUTES
            for f in model._meta.concrete_fields
        )
    )


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


class Ids:
    """Stands for the list of ids of a fixed query (:class:`FixedQueries`):
    filter with ``field__in_ids=ids`` (:class:`InIds`)."""

    def __repr__(self) -> str:
        return "<the ids>"


IDS = Ids()


def ids_param(ids: Sequence[int], vendor: str) -> str:
    """A list of ids (ints) as the one parameter of ``field__in_ids``: an
    array's text on PostgreSQL (``{1,2,3}``, which the database reads as an
    array of the column's type; psycopg would adapt a Python list element by
    element in Python), a JSON list elsewhere (SQLite's ``json_each``)."""
    if vendor == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(list(ids))


class InIds(Lookup):
    """``field__in_ids=IDS``: the field is one of the list of ids a fixed
    query is bound to, given as one parameter whatever its length (so the
    statement's text is the same for every list): ``= ANY(%s)`` with an
    array on PostgreSQL, ``IN (SELECT value FROM json_each(%s))`` with a JSON
    list on SQLite. ``field__in_ids=[1, 2, ...]`` (a list of ints) is the
    same for an ordinary query: thousands of ids cost one parameter, not one
    each (an UPDATE of the gaps a rule switched off resolves)."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        if self.rhs is IDS:
            return self.rhs
        if isinstance(self.rhs, list | tuple) and all(type(i) is int for i in self.rhs):
            return list(self.rhs)
        raise TypeError("in_ids takes pipelined.IDS (a fixed query's list of ids) or a list of ints")

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        value = self.rhs if self.rhs is IDS else ids_param(self.rhs, connection.vendor)
        # lhs is the column Django compiled, the list a parameter: nothing of the caller's in the text
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, value]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, value]  # noqa: S608


# on every field (a foreign key's lookups are its own, not a field's)
Field.register_lookup(InIds)
ForeignObject.register_lookup(InIds)


class FixedQueries:
    """Plain ``values_list`` querysets over one list of ids (network or person
    ids), built by ``build`` and compiled to SQL once per database connection;
    :meth:`bind` gives them for a list of ids, to :func:`rows_of`.

    ``build`` takes :data:`IDS` (to filter with ``field__in_ids=IDS``) and
    returns the querysets; it must not depend on anything but the list (its
    values are read when it is first compiled)."""

    def __init__(self, build: Callable[[Ids], Sequence[QuerySet[Any, Any]]]) -> None:
        self._build = build
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, list[Compiled]] = (
            weakref.WeakKeyDictionary()
        )

    def bind(self, ids: Sequence[int], using: str = "default") -> Bound:
        """These queries for ``ids`` (ints) on the database ``using``."""
        return Bound(self, [int(i) for i in ids], using)

    def compiled(self, using: str) -> list[Compiled]:
        connection = connections[using]
        found = self._compiled.get(connection)
        if found is None:
            found = []
            for qs in self._build(IDS):
                compiler, sql, params, converters = _compile(qs.using(using), using)
                if sql is None:
                    raise ValueError("a fixed query cannot be empty")
                found.append((compiler, sql, tuple(params), converters))
            self._compiled[connection] = found
        return found


class Bound:
    """:class:`FixedQueries` for one list of ids, for :func:`rows_of`."""

    def __init__(self, queries: FixedQueries, ids: list[int], using: str) -> None:
        self.queries, self.ids, self.using = queries, ids, using

    def count(self) -> int:
        """How many queries (and lists of rows in :func:`rows_of`'s answer)."""
        return len(self.queries.compiled(self.using))

    def compiled(self) -> list[Compiled]:
        """The compiled queries with the list in their parameters."""
        value = ids_param(self.ids, connections[self.using].vendor)
        return [
            (compiler, sql, tuple(value if p is IDS else p for p in params), converters)
            for compiler, sql, params, converters in self.queries.compiled(self.using)
        ]
