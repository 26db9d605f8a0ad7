"""Plain rows written in bulk, for ``kinmap synth`` (:mod:`kinmap.records.synth`).

A :class:`Table` collects the rows of one model as plain tuples of the
columns it names (no model instances: building a Django instance costs more
than writing its row), fills every other column with the field's default
(``auto_now`` dates with the time of the load), and writes them with COPY on
PostgreSQL (``executemany`` elsewhere), with one record-time history row each
for the models kept in django-simple-history.

Ids are given in memory from one counter for every table of the load
(:func:`ids_reserve` / :func:`ids_release`): the rows are numbered before
they are written, so rows that point at each other need no query to learn
each other's ids. An id is unique in its table; the numbers of one table are
not contiguous, which nothing relies on.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple

from django.apps import apps
from django.db import connection, models
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin

from .copy_rows import field_default, rows_copy


class Table:
    """The rows of ``model`` to write: each a tuple of ``names`` (attribute
    names: ``person_id``, not ``person``), in that order. Columns not named
    take the field's default; JSON columns are given as Python values.
    ``history_date`` names the column whose value dates the history row
    (``recorded_at``: when the record says it was recorded; else the load's
    time)."""

    def __init__(self, model: type[Model], names: Sequence[str], *, history_date: str | None = None) -> None:
        self.model = model
        self.names = tuple(names)
        self.rows: list[tuple[Any, ...]] = []
        # queue a row: the list's own append (a load queues millions of rows;
        # a method that called it would be a frame more a row)
        self.add: Callable[[tuple[Any, ...]], None] = self.rows.append
        self.history_date = history_date
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(self.names) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
        self._json = tuple(i for i, n in enumerate(self.names) if isinstance(fields[n], models.JSONField))
        # the columns not named take their default (an unnamed id: the table's own)
        self._rest = [
            f for n, f in fields.items() if n not in self.names and not isinstance(f, AutoFieldMixin)
        ]

    def prepared(self, now: datetime, *, text: bool = False) -> list[Prepared]:
        """The rows ready to write (with their history rows), made without a
        query (so in any process): every column filled, JSON as text, dates
        of the load ``now``; with ``text``, as the lines of PostgreSQL's COPY
        (:func:`copy_line`) rather than tuples, so the process that writes
        them only passes them on."""
        if not self.rows:
            return []
        rest = tuple(field_default(f, now) for f in self._rest)
        columns = [*self.names, *(f.attname for f in self._rest)]
        history = hasattr(self.model, "history")
        hcolumns, pick, dated = self._history_columns(columns) if history else ([], (), None)
        size = len(self.rows)
        if text:
            # each value is made text once, for its row and its history row;
            # the defaults once for the whole column
            cells = [_column_text(c) for c in zip(*self._prepared(self.rows), strict=True)]
            cells += [[copy_text(v)] * size for v in rest]
            out = [Prepared(self.model._meta.label, columns, [], _lines(cells), size)]
            if history:
                stamp = copy_text(now)
                when = [stamp] * size
                if dated is not None:
                    when = [stamp if c == NULL else c for c in cells[dated]]
                hcells = [*(cells[i] for i in pick), when, ["+"] * size]
                out.append(Prepared(self._history_label(), hcolumns, [], _lines(hcells), size))
            return out
        rows = [r + rest for r in self._prepared(self.rows)]
        out = [Prepared(self.model._meta.label, columns, rows, b"", len(rows))]
        if history:
            hrows = [
                (*(r[i] for i in pick), (r[dated] if dated is not None else None) or now, "+") for r in rows
            ]
            out.append(Prepared(self._history_label(), hcolumns, hrows, b"", len(rows)))
        return out

    def _prepared(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self._json:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i in self._json:
                values[i] = _json_text(values[i])
            out.append(tuple(values))
        return out

    def _history_label(self) -> str:
        return str(self.model.history.model._meta.label)  # type: ignore[attr-defined]

    def _history_columns(self, columns: list[str]) -> tuple[list[str], tuple[int, ...], int | None]:
        """The columns of the history rows (one per row, as ``save()`` would
        have written it, "+": created, dated by ``history_date`` or the
        load's time), which of the row's columns they take, and the position
        of the row's column that dates them (None: the load's time)."""
        hmodel = self.model.history.model  # type: ignore[attr-defined]
        at = {n: i for i, n in enumerate(columns)}
        kept = [f.attname for f in hmodel._meta.concrete_fields if f.attname in at]
        dated = at.get(self.history_date) if self.history_date else None
        return [*kept, "history_date", "history_type"], tuple(at[n] for n in kept), dated


class Prepared(NamedTuple):
    """Rows ready to write into one table: the model's label
    (``records.Person``), the attribute names of the columns, and the rows:
    as tuples (``rows``), or as the text PostgreSQL's COPY reads (``text``,
    UTF-8, a line a row; ``rows`` is then empty); ``size``: how many."""

    label: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    text: bytes
    size: int

    def write(self) -> int:
        """Write the rows (COPY on PostgreSQL, ``executemany`` elsewhere; the
        text form only on PostgreSQL); how many were written."""
        model = apps.get_model(self.label)
        if self.text:
            _copy_text(model, self.columns, self.text)
        else:
            rows_copy(model, self.columns, self.rows)
        return self.size


NULL = "\\N"
_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """``value`` (None, text, a whole number, true or false, a date, an aware
    date-time) as one field of PostgreSQL's COPY text format: None is ``\\N``,
    a backslash, tab, newline or carriage return in text is escaped; a date
    or date-time in ISO 8601 (with its offset). Raises TypeError for any
    other type. (Source: PostgreSQL's documentation of COPY, "Text Format".)"""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if value is None:
        return NULL
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is date or kind is datetime:
        return _iso(value)
    if isinstance(value, str):  # a text choice's member
        return copy_text(str.__str__(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    raise TypeError(f"no COPY text for {kind.__name__}")


@functools.lru_cache(maxsize=65536)
def _iso(value: date) -> str:
    """A date or date-time in ISO 8601 (the load's are a few hundred, so
    each is written out once)."""
    return value.isoformat()


_BOOLS = {True: "t", False: "f", None: NULL}


def _column_text(values: tuple[Any, ...]) -> Sequence[str]:
    """One column's values as COPY's fields (:func:`copy_text`), a whole
    column at a time: text with nothing to escape is kept as it is, whole
    numbers and true or false are mapped at once, and a column of other
    values (dates, date-times, nothing, numbers or nothing: a few hundred
    distinct values in a column of thousands) through a table of its
    distinct values, each made text once."""
    kinds = set(map(type, values))
    if kinds == {str}:
        # one search of the column's text run together (a character to
        # escape is in it if and only if it is in one of the values)
        if not _SPECIAL.search("".join(values)):
            return values
    elif kinds == {int}:
        return list(map(str, values))
    elif kinds <= {bool, type(None)}:
        return list(map(_BOOLS.__getitem__, values))
    elif bool not in kinds:  # (True == 1: a table would take one for the other)
        texts = {v: copy_text(v) for v in set(values)}
        return list(map(texts.__getitem__, values))
    return list(map(copy_text, values))


def _lines(columns: list[Sequence[str]]) -> bytes:
    """Columns of COPY fields as COPY's text: tab between fields, a line a row."""
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()


def _json_text(value: Any) -> str:
    """``value`` as JSON text (a list of strings, such as a gap's ``missing``,
    is one of a few hundred, so each is written once)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _json_strings(tuple(value))
    return json.dumps(value)


@functools.lru_cache(maxsize=4096)
def _json_strings(value: tuple[str, ...]) -> str:
    return json.dumps(list(value))


def _copy_text(model: type[Model], attnames: list[str], text: bytes) -> None:
    """Write ``text``, rows of ``attnames`` in COPY's text format, into
    ``model``'s table with COPY (PostgreSQL only)."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(by_attname[n].column) for n in attnames)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        copy.write(text)


# memory each sort or hash of the load's own statements may use (one
# transaction at a time: a load is one process's)
LOAD_WORK_MEM = "256MB"


def load_session() -> bool:
    """Settings for the rest of the load's transaction (PostgreSQL): its
    commit does not wait for the write-ahead log to reach the disk (a crash
    just after it loses the load, never half of it; the load is made up and
    can be made again); its sorts and hashes may use up to
    :data:`LOAD_WORK_MEM` each before spilling to temporary files (the
    references check hashes every id of a target table: 574,000 gaps' at
    20,000 families, which spilled thousands of temporary blocks at the
    default 4MB); and, where the database user may (a superuser),
    the triggers that check each row's references as it is written are set
    aside (``session_replication_role`` replica): the load checks them all at
    once instead (:func:`references_check`), which costs far less. Returns
    whether the database checks the references row by row."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(f"SET LOCAL work_mem TO '{LOAD_WORK_MEM}'")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if not (row and row[0]):
            return True
        cursor.execute("SET LOCAL session_replication_role TO replica")
    return False


# parallel workers each reference check may use (PostgreSQL's own default for
# max_parallel_workers_per_gather; the server's max_parallel_workers caps it)
CHECK_PARALLEL_WORKERS = 2


class ReferenceBroken(Exception):
    """A row of the load points at a row that does not exist."""


def references_check(labels: set[str], after: int, numbered: set[str]) -> None:
    """Check that every reference (foreign key) of the rows the load wrote
    points at a row that exists, one query a reference, then let the
    triggers check row by row again (``session_replication_role`` origin).
    ``labels``: the models written (``records.Person``); ``numbered``: those
    whose ids the load gave, after ``after``, so only its rows are checked
    (the others are checked whole). Raises :class:`ReferenceBroken` (the
    load's transaction then rolls back). PostgreSQL only.

    The checks may use up to :data:`CHECK_PARALLEL_WORKERS` parallel workers
    each (kinmap's connections start none: ``max_parallel_workers_per_gather``
    0, ``kinmap/settings.py``): each check hashes every id of its target
    table, and the load's other processes have finished by now, so the cores
    they used are free (a worker sees the load's rows not yet committed, as
    the rest of its transaction does: PostgreSQL manual, "Parallel Query").
    Measured on 100,000 families' tables: the 40 checks 7.4 s one process
    each, 4.6 s with two workers."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL max_parallel_workers_per_gather TO {CHECK_PARALLEL_WORKERS}")
        for label in sorted(labels):
            model = apps.get_model(label)
            table = quote(model._meta.db_table)
            mine = f"c.{quote(model._meta.pk.column)} > %s" if label in numbered else "TRUE"
            for f in model._meta.concrete_fields:
                if not isinstance(f, models.ForeignKey) or not getattr(f, "db_constraint", True):
                    continue
                target, column = f.target_field, quote(f.column)
                cursor.execute(
                    f"SELECT c.{column} FROM {table} c WHERE {mine} AND c.{column} IS NOT NULL "  # noqa: S608 (names from the models)
                    f"AND NOT EXISTS (SELECT 1 FROM {quote(target.model._meta.db_table)} t "
                    f"WHERE t.{quote(target.column)} = c.{column}) LIMIT 1",
                    [after] if label in numbered else [],
                )
                missing = cursor.fetchone()
                if missing:
                    raise ReferenceBroken(f"{label}.{f.attname} = {missing[0]} points at no row")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
        cursor.execute("SET LOCAL session_replication_role TO origin")


def models_written(tables: Sequence[Table]) -> list[type[Model]]:
    """The models whose tables the load of ``tables`` writes: each table's
    model and, for those kept in django-simple-history, its history model."""
    out: list[type[Model]] = []
    for t in tables:
        out.append(t.model)
        if hasattr(t.model, "history"):
            out.append(t.model.history.model)
    return out


def indexes_set_aside(models_: Sequence[type[Model]]) -> list[str]:
    """Drop the indexes and keys of the models' tables that nothing else
    relies on, for the rest of the load's transaction, and return the
    statements that make them again (from PostgreSQL's own catalogue:
    ``CREATE INDEX ...`` by ``pg_get_indexdef``, ``ALTER TABLE ... ADD
    CONSTRAINT ...`` by ``pg_get_constraintdef``), for
    :func:`indexes_rebuild`. Set aside: the secondary indexes (unique or
    not) that no constraint is made with, and the primary keys and unique
    constraints; never an index that a foreign key anywhere points at (a
    family network's, a person's, a gap's primary key, ...: the database
    needs it to check the references); only tables the database user owns.
    Building an index once from the loaded rows (a sort) costs far less than
    keeping it up to date row by row (at 20,000 families the load's COPY
    took about a quarter less of the server's CPU with the secondary
    indexes set aside, the builds included). The ids are given in memory
    and each chunk numbers in its own window, so the keys hold by
    construction; building them again still checks every one (a duplicate
    stops the load). All in the load's transaction, so a load that fails or
    rolls back leaves the indexes and constraints as they were; until it
    commits, the tables are locked against reading (``DROP INDEX`` and
    ``ALTER TABLE`` take an ACCESS EXCLUSIVE lock). PostgreSQL only
    (elsewhere: nothing, ``[]``)."""
    if connection.vendor != "postgresql" or not models_:
        return []
    tables = sorted({m._meta.db_table for m in models_})
    mine = (
        "t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema()) "
        "AND pg_has_role(t.relowner, 'USAGE')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('DROP INDEX %%s', i.oid::regclass), pg_get_indexdef(i.oid) FROM pg_index x "  # noqa: S608 (no value of the caller's in the text)
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            f"WHERE {mine} AND NOT x.indisprimary AND x.indisvalid "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) "
            "UNION ALL "
            # a table's keys in one statement each way; a key a foreign key
            # points at is the target's index (the foreign key's conindid)
            "SELECT format('ALTER TABLE %%s %%s', t.oid::regclass, "
            "string_agg(format('DROP CONSTRAINT %%I', k.conname), ', ' ORDER BY k.conname)), "
            "format('ALTER TABLE %%s %%s', t.oid::regclass, string_agg(format('ADD CONSTRAINT %%I %%s', "
            "k.conname, pg_get_constraintdef(k.oid)), ', ' ORDER BY k.conname)) "
            "FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
            f"WHERE {mine} AND k.contype IN ('p', 'u') "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint f "
            "WHERE f.contype = 'f' AND f.conindid = k.conindid) "
            "GROUP BY t.oid ORDER BY 1",
            [tables, tables],
        )
        found = cursor.fetchall()
        if found:
            with _checks_made():
                for drop, _ in found:
                    cursor.execute(drop)
    return [definition for _, definition in found]


def indexes_rebuild(definitions: Sequence[str]) -> None:
    """Make again the indexes and keys :func:`indexes_set_aside` dropped
    (``definitions``: its statements), in the load's transaction, once
    every row is written. Raises the database's error (IntegrityError) if a
    key is broken: the load then rolls back."""
    if not definitions:
        return
    with _checks_made(), connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)


@contextmanager
def _checks_made() -> Iterator[None]:
    """The reference checks waiting for the commit (Django's foreign keys are
    DEFERRABLE INITIALLY DEFERRED; a table with checks pending cannot have an
    index dropped or built) made now, and the ones after deferred again: the
    same checks, made earlier in the same transaction (a broken reference
    still rolls the whole load back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# ids left between the largest id read and a load's window: rows that other
# sessions number in the moment between the read and the sequences' move
RESERVE_MARGIN = 1_000


def ids_reserve(tables: Sequence[Table], *, window: int = 0) -> int:
    """The id after which the load numbers its rows, free in every one of the
    tables' models: the largest id used (or handed out) in any of them (one
    query). With ``window`` (the ids the load may use), on PostgreSQL, the
    tables' sequences are moved past the window at once (``setval`` is
    neither held back by the load's transaction nor undone by its rollback),
    so a row that another session adds while the load runs (a practitioner's
    new person) takes an id after the load's, and the window starts
    :data:`RESERVE_MARGIN` ids after the largest read, for rows numbered
    between the read and the move. SQLite lets one transaction write at a
    time, so nothing else numbers a row while a load runs there."""
    models_ = sorted({t.model for t in tables}, key=lambda m: m._meta.label)
    parts = []
    for model in models_:
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COALESCE(MAX(id), 0) FROM {table})")  # noqa: S608
        if connection.vendor == "postgresql":
            parts.append(f"(SELECT last_value FROM {_sequence(model)})")  # noqa: S608
    top = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {top}({', '.join(parts)}, 0)")
        largest = int(cursor.fetchone()[0])
        if not window or connection.vendor != "postgresql":
            return largest
        start = largest + RESERVE_MARGIN
    _sequences_past(models_, start + window)
    return start


def ids_release(tables: Sequence[Table], last: int) -> None:
    """Move the tables' id sequences past ``last``, the largest id given, so
    that rows added later take ids after the load's (PostgreSQL; SQLite takes
    the next id after the largest in the table anyway)."""
    if connection.vendor == "postgresql":
        _sequences_past({t.model for t in tables}, last)


def _sequences_past(models_: Iterable[type[Model]], last: int) -> None:
    """Move the id sequences of ``models_`` to ``last`` where they are before
    it (one statement; PostgreSQL)."""
    sequences = [_sequence(m) for m in models_]
    sets = ", ".join(
        f"setval('{s}', GREATEST(%s, (SELECT last_value FROM {s})))"  # noqa: S608 (names from the catalogue)
        for s in sequences
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sets}", [last] * len(sequences))


_sequences: dict[str, str] = {}


def _sequence(model: type[Model]) -> str:
    """The name of the sequence behind ``model``'s id (PostgreSQL)."""
    table = model._meta.db_table
    if table not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]
