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
reading its few rows back. On PostgreSQL, run for a few ids (one family's), they
are also prepared once per connection (``PREPARE``, the ids its one parameter)
and after that executed by name (``EXECUTE``): the server parses them once and,
with ``plan_cache_mode`` set to ``force_generic_plan`` (``kinmap.settings``),
plans them once (https://www.postgresql.org/docs/current/sql-prepare.html).
Parsing and planning a family's twenty short statements each time was half the
server's time in a recompute. On PostgreSQL the rows' times are read through
a cache of the values parsed before on the connection
(:mod:`kinmap.records.time_loads`).
"""

from __future__ import annotations

import itertools
import json
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, JSONField, Lookup, Model, Q, QuerySet
from django.db.models.base import ModelState
from django.db.models.expressions import Col
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ValuesListIterable
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.db.models.sql.compiler import SQLCompiler

from .time_loads import times_cached

M = TypeVar("M", bound=Model)


# a query compiled: its compiler, SQL (None: no rows, no query), parameters,
# the converters of its columns (Django's, applied to the rows read) and, for a
# fixed query run for a few ids on PostgreSQL, how to prepare it
Compiled = tuple[SQLCompiler, str | None, Sequence[Any], dict[int, Any], "Prepared | None"]


@dataclass(frozen=True)
class Prepared:
    """A fixed query as a prepared statement: its name (the same for every
    list of ids), its parameters with :data:`IDS` where the list goes, and
    the list (ints) to execute it with."""

    name: str
    params: Sequence[Any]
    ids: list[int]


# a fixed query is prepared when it is run for at most this many ids (one
# family's members); a longer list (a batch of families) is planned for itself
PREPARED_MAX_IDS = 64


def _compile(qs: QuerySet[Any, Any], db: str) -> Compiled:
    if qs._iterable_class is not ValuesListIterable or qs.db != db:
        raise TypeError("rows_of takes plain values_list querysets of one database")
    compiler = qs.query.get_compiler(using=db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # an empty "in" list: no rows, no query
        return compiler, None, (), {}, None
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    return compiler, sql, params, converters, None


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
    # a fixed query to prepare goes as a text even alone (executed by name)
    if connection.vendor == "postgresql" and (len(sent) > 1 or any(c[4] is not None for c in sent)):
        fetched = iter(_fetch_together(connection, sent))
    else:
        fetched = iter(_fetch_each(connection, sent))
    results: list[list[tuple[Any, ...]]] = []
    for compiler, sql, _, converters, _ in compiled:
        rows = next(fetched) if sql is not None else []
        json_columns = _plain_json(converters)
        if json_columns:
            results.append(_json_rows(compiler, rows, converters, json_columns))
        elif converters:
            results.append([tuple(row) for row in compiler.apply_converters(rows, converters)])
        else:
            results.append([tuple(row) for row in rows])
    return results


def _plain_json(converters: dict[int, Any]) -> list[int]:
    """The columns of a query whose only converter is the ``from_db_value``
    of a plain ``JSONField`` (no decoder of its own) read as a column (not a
    key of it); empty unless every converted column is one."""
    columns = []
    for i, (functions, expression) in converters.items():
        field = getattr(expression, "target", None)
        if not (
            isinstance(expression, Col)
            and type(field) is JSONField
            and field.decoder is None
            and len(functions) == 1
            and getattr(functions[0], "__func__", None) is JSONField.from_db_value
            and functions[0].__self__ is field
        ):
            return []
        columns.append(i)
    return columns


_DECODER = json.JSONDecoder()


def _json_rows(
    compiler: SQLCompiler, rows: Sequence[Any], converters: dict[int, Any], columns: list[int]
) -> list[tuple[Any, ...]]:
    """The rows with the texts of the JSON ``columns`` parsed: the values
    ``JSONField.from_db_value`` gives (``json.loads``), without its calls
    and ``json.loads``' checks for each value (a family's gaps and people
    each have one): a text that ``raw_decode`` does not read whole, or a
    value not a text, goes through Django's converters as before."""
    raw = _DECODER.raw_decode
    out = []
    for row in rows:
        values = list(row)
        for i in columns:
            text = values[i]
            if text is None:
                continue
            if type(text) is str:
                try:
                    value, end = raw(text)
                except ValueError:
                    end = -1
                if end == len(text):
                    values[i] = value
                    continue
            functions, expression = converters[i]
            values[i] = functions[0](text, expression, compiler.connection)
        out.append(tuple(values))
    return out


def _fetch_each(connection: BaseDatabaseWrapper, compiled: Sequence[Compiled]) -> list[list[Any]]:
    fetched = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            times_cached(cursor.cursor)
        for _, sql, params, _, _ in compiled:
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
            times_cached(cursor.cursor)
            return _fetch_in_one_text(connection, cursor, compiled)
    cursors = [connection.cursor() for _ in compiled]
    for cursor in cursors:
        times_cached(cursor.cursor)
    try:
        with connection.connection.pipeline():
            for cursor, (_, sql, params, _, _) in zip(cursors, compiled, strict=True):
                cursor.execute(str(sql), params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


# the statements prepared on each psycopg connection, by name; a text that
# prepared some and failed forgets them all, and later names are new ones
# (PREPARE is not undone by a rollback, so some of them may exist)
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_generation = itertools.count(1)
_names_generation = next(_generation)


def _fetch_in_one_text(
    connection: BaseDatabaseWrapper, cursor: Any, compiled: Sequence[Compiled]
) -> list[list[Any]]:
    """The rows of each query, sent as one text of statements: the prepared
    ones executed by name with their list of ids written in (ints), prepared
    first when this connection has not prepared them yet; the others with
    their parameters."""
    global _names_generation
    done = _prepared.setdefault(connection.connection, set())
    prepares: dict[str, str] = {}  # by name
    texts: list[str] = []
    params: list[Any] = []
    for _, sql, query_params, _, prepared in compiled:
        if prepared is None:
            texts.append(str(sql))
            params.extend(query_params)
            continue
        name = f"{prepared.name}_{_names_generation}"
        if name not in done:
            prepares[name] = _prepare_text(cursor, name, str(sql), prepared.params)
        if any(p is IDS for p in prepared.params):
            texts.append(f"EXECUTE {name}('{ids_param(prepared.ids, 'postgresql')}')")
        else:
            texts.append(f"EXECUTE {name}")
    statements = [*prepares.values(), *texts]
    if params:  # a text the cursor fills in: the percent signs of the others doubled
        statements = [*(t.replace("%", "%%") for t in prepares.values()), *texts]
    try:
        cursor.execute(";\n".join(statements), params or None)
    except Exception as exc:
        forgotten = _forgotten_by_server(exc)
        if prepares or forgotten:
            # what this connection has prepared is no longer known: forget
            # it, and use new names (its old ones may or may not exist)
            _prepared.pop(connection.connection, None)
            _names_generation = next(_generation)
        if forgotten and not prepares and not connection.in_atomic_block:
            # the server forgot them behind our back (DISCARD ALL or
            # DEALLOCATE ALL, say by a connection pooler's reset): the failed
            # text (autocommit, reads only) changed nothing, so it is sent
            # once more, preparing them again (that text has PREPAREs: never
            # a third time); in a transaction that failure ends it, and the
            # next read prepares them again
            return _fetch_in_one_text(connection, cursor, compiled)
        raise
    done.update(prepares)
    # every result came with the answer to the execute (errors were raised
    # there): read them from psycopg's cursor, not through Django's wrapper
    results = cursor.cursor
    for _ in prepares:  # their results are commands', without rows
        results.nextset()
    fetched = [results.fetchall()]
    while results.nextset():
        fetched.append(results.fetchall())
    if len(fetched) != len(compiled):
        raise RuntimeError("a statement sent together gave no rows")
    return fetched


def _forgotten_by_server(exc: BaseException) -> bool:
    """Whether ``exc`` (or the psycopg error Django wrapped in it) is
    PostgreSQL's "prepared statement does not exist" (SQLSTATE 26000,
    invalid_sql_statement_name)."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    return getattr(cause, "sqlstate", None) == "26000"


def _prepare_text(cursor: Any, name: str, sql: str, params: Sequence[Any]) -> str:
    """``PREPARE name AS sql``: the list of ids its parameter ``$1``, the
    other parameters written into it as the cursor writes them."""
    values = iter(params)
    parts = []
    for part in re.split(r"(%s|%%)", sql):
        if part == "%s":
            value = next(values)
            parts.append("$1" if value is IDS else cursor.mogrify("%s", [value]))
        else:
            parts.append("%" if part == "%%" else part)
    return f"PREPARE {name} AS {''.join(parts)}"


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
    return list(map(_maker(model, using), rows))


def _maker(model: type[M], using: str) -> Callable[[Sequence[Any]], M]:
    """What makes an instance of ``model`` from the values of every column
    (in the order of its concrete fields): as :func:`instances` makes them."""
    names = [f.attname for f in model._meta.concrete_fields]
    if _own_making(model):
        return lambda row: model.from_db(using, names, row)
    new = object.__new__

    def make(row: Sequence[Any]) -> M:
        obj = new(model)
        obj.__dict__.update(zip(names, row, strict=True))
        state = obj._state = ModelState()
        state.adding, state.db = False, using
        return obj

    return make


def _own_making(model: type[Model]) -> bool:
    """Whether ``model`` makes its instances otherwise than ``Model.from_db``
    and ``Model.__init__`` do, or some receiver listens for them being made."""
    own = _own_class.get(model)
    if own is None:  # what the class itself does is looked at once a model
        own = _own_class[model] = (
            model.from_db.__func__ is not Model.from_db.__func__  # type: ignore[attr-defined]
            or model.__init__ is not Model.__init__
            # a field whose attribute does more on being set than keep the value
            or any(
                type(getattr(model, f.attname, None)) not in _PLAIN_ATTRIBUTES
                for f in model._meta.concrete_fields
            )
        )
    return own or pre_init.has_listeners(model) or post_init.has_listeners(model)


_own_class: dict[type[Model], bool] = {}


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def related_rows(queryset: QuerySet[M, M], *related: str, extra: Sequence[str] = ()) -> QuerySet[M, Any]:
    """:func:`model_rows` with, after the model's own columns, every column of
    the model each foreign key in ``related`` points to (as ``select_related``
    reads them; a null key gives nulls), then the ``extra`` columns (lookups,
    such as ``"recorded_by__username"``). :func:`related_instances` makes the
    instances."""
    return queryset.values_list(*related_columns(queryset.model, *related), *extra)


def related_columns(model: type[Model], *related: str) -> list[str]:
    """The columns :func:`related_rows` reads for ``model`` and ``related``
    (lookups: ``"id"``, ..., ``"by__id"``, ...); prefixed with a reverse
    relation's name (``"actions__" + c``), another model's ``extra`` columns
    give the rows of its related model joined in."""
    columns = [f.attname for f in model._meta.concrete_fields]
    for name in related:
        target = _target(model, name)
        columns += [f"{name}__{f.attname}" for f in target._meta.concrete_fields]
    return columns


def _target(model: type[Model], name: str) -> type[Model]:
    """The model the foreign key ``name`` of ``model`` points to."""
    target = model._meta.get_field(name).related_model
    if not isinstance(target, type) or not issubclass(target, Model):
        raise TypeError(f"{name} is not a foreign key of {model.__name__}")
    return target


def related_instances(
    model: type[M], rows: Sequence[tuple[Any, ...]], *related: str, using: str = "default"
) -> list[tuple[M, tuple[Any, ...]]]:
    """The instances of ``model`` from the rows of :func:`related_rows` (the
    same ``related``), each with its related instances set as
    ``select_related`` sets them (None for a null key), and with the row's
    ``extra`` columns (a tuple, empty without them)."""
    fields = model._meta
    size = len(fields.concrete_fields)
    make = _maker(model, using)
    parts = []
    for name in related:
        field = fields.get_field(name)
        target = _target(model, name)
        parts.append((field, field.attname, _maker(target, using), len(target._meta.concrete_fields)))  # type: ignore[union-attr]
    out = []
    for row in rows:
        obj = make(row[:size])
        at = size
        for field, attname, make_related, width in parts:
            # as select_related sets them: the field's cache (the key is set
            # already) and, for a one-to-one key, the related object's back
            other = make_related(row[at : at + width]) if getattr(obj, attname) is not None else None
            field.set_cached_value(obj, other)  # type: ignore[union-attr]
            if other is not None and field.unique:  # type: ignore[union-attr]
                field.remote_field.set_cached_value(other, obj)  # type: ignore[union-attr]
            at += width
        out.append((obj, tuple(row[at:])))
    return out


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


class InRows(Lookup):
    """``field__in_rows=queryset``: the field is one of the values of a
    one-column subquery (``.values("person_id")``), written so that the
    database can still use the field's index where the condition is one of
    several joined by OR (a plain ``IN (subquery)`` under OR makes PostgreSQL
    read the whole table): ``= ANY(ARRAY(subquery))`` on PostgreSQL (the
    subquery run once), ``IN (subquery)`` on SQLite."""

    lookup_name = "in_rows"

    def get_prep_lookup(self) -> Any:
        if not hasattr(self.rhs, "resolve_expression"):
            raise TypeError("in_rows takes a one-column queryset")
        return self.rhs

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]


# on every field (a foreign key's lookups are its own, not a field's)
for _lookup in (InIds, InRows):
    Field.register_lookup(_lookup)
    ForeignObject.register_lookup(_lookup)


def among(field: str, ids: Ids | QuerySet[Any, Any]) -> Q:
    """The condition that ``field`` is one of ``ids``: a fixed query's list
    (:data:`IDS`, ``in_ids``) or a one-column subquery (``in_rows``), so that
    one ``build`` of :class:`FixedQueries` serves both."""
    if isinstance(ids, Ids):
        return Q(**{f"{field}__in_ids": ids})
    return Q(**{f"{field}__in_rows": ids})


_fixed_names = itertools.count(1)


class FixedQueries:
    """Plain ``values_list`` querysets over one list of ids (network or person
    ids), built by ``build`` and compiled to SQL once per database connection;
    :meth:`bind` gives them for a list of ids, to :func:`rows_of`.

    ``build`` takes :data:`IDS` (to filter with ``field__in_ids=IDS``) and
    returns the querysets; it must not depend on anything but the list (its
    values are read when it is first compiled)."""

    def __init__(self, build: Callable[[Ids], Sequence[QuerySet[Any, Any]]]) -> None:
        # public: another fixed query can read the same over a one-column
        # subquery instead of the list, where ``build`` filters with :func:`among`
        self.build: Callable[[Any], Sequence[QuerySet[Any, Any]]] = build
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, list[Compiled]] = (
            weakref.WeakKeyDictionary()
        )
        self.name = f"kinmap_fixed_{next(_fixed_names)}"

    def bind(self, ids: Sequence[int], using: str = "default") -> Bound:
        """These queries for ``ids`` (ints) on the database ``using``."""
        return Bound(self, [int(i) for i in ids], using)

    def compiled(self, using: str) -> list[Compiled]:
        connection = connections[using]
        found = self._compiled.get(connection)
        if found is None:
            found = []
            for qs in self.build(IDS):
                compiler, sql, params, converters, _ = _compile(qs.using(using), using)
                if sql is None:
                    raise ValueError("a fixed query cannot be empty")
                found.append((compiler, sql, tuple(params), converters, None))
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
        vendor = connections[self.using].vendor
        value = ids_param(self.ids, vendor)
        prepare = vendor == "postgresql" and len(self.ids) <= PREPARED_MAX_IDS
        return [
            (
                compiler,
                sql,
                tuple(value if p is IDS else p for p in params),
                converters,
                Prepared(f"{self.queries.name}_{i}", params, self.ids) if prepare else None,
            )
            for i, (compiler, sql, params, converters, _) in enumerate(self.queries.compiled(self.using))
        ]
