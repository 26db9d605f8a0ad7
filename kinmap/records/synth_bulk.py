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
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.apps import apps
from django.db import connection, models
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin


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

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def prepared(self, now: datetime) -> list[Prepared]:
        """The rows ready to write (with their history rows), made without a
        query (so in any process): every column filled, JSON as text, dates
        of the load ``now``."""
        if not self.rows:
            return []
        rest = tuple(_default(f, now) for f in self._rest)
        columns = [*self.names, *(f.attname for f in self._rest)]
        rows = [r + rest for r in self._prepared(self.rows)]
        out = [Prepared(self.model._meta.label, columns, rows)]
        if hasattr(self.model, "history"):
            out.append(self._history(columns, rows, now))
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

    def _history(self, columns: list[str], rows: list[tuple[Any, ...]], now: datetime) -> Prepared:
        """One history row per row, as ``save()`` would have written it ("+":
        created), dated by ``history_date`` or the load's time."""
        hmodel = self.model.history.model  # type: ignore[attr-defined]
        at = {n: i for i, n in enumerate(columns)}
        kept = [f.attname for f in hmodel._meta.concrete_fields if f.attname in at]
        pick = tuple(at[n] for n in kept)
        dated = at.get(self.history_date) if self.history_date else None
        hrows = [(*(r[i] for i in pick), (r[dated] if dated is not None else None) or now, "+") for r in rows]
        return Prepared(hmodel._meta.label, [*kept, "history_date", "history_type"], hrows)


class Prepared(NamedTuple):
    """Rows ready to write into one table: the model's label
    (``records.Person``), the attribute names of the columns, the rows."""

    label: str
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def write(self) -> int:
        """Write the rows (COPY on PostgreSQL); how many were written."""
        _copy(apps.get_model(self.label), self.columns, self.rows)
        return len(self.rows)


def _json_text(value: Any) -> str:
    """``value`` as JSON text (a list of strings, such as a gap's ``missing``,
    is one of a few hundred, so each is written once)."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return _json_strings(tuple(value))
    return json.dumps(value)


@functools.lru_cache(maxsize=4096)
def _json_strings(value: tuple[str, ...]) -> str:
    return json.dumps(list(value))


def _default(f: models.Field[Any, Any], now: datetime) -> Any:
    if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
        return now
    value = f.get_default()
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    if isinstance(value, models.Choices):
        return value.value
    return value


def _copy(model: type[Model], attnames: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Write ``rows`` (values of ``attnames``, ready for the database) into
    ``model``'s table: COPY on PostgreSQL, ``executemany`` elsewhere."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_attname[n].column for n in attnames]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        stamp = tuple(i for i, n in enumerate(attnames) if isinstance(by_attname[n], models.DateTimeField))
        if stamp:
            adapt = connection.ops.adapt_datetimefield_value
            rows = [tuple(adapt(v) if i in stamp else v for i, v in enumerate(r)) for r in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def load_session() -> None:
    """Settings for the rest of the load's transaction (PostgreSQL): its
    commit does not wait for the write-ahead log to reach the disk (a crash
    just after it loses the load, never half of it; the load is made up and
    can be made again)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def ids_reserve(tables: Sequence[Table]) -> int:
    """The largest id used (or handed out) in any of the tables' models, so
    that ids counted on from it are free in every one of them (one query)."""
    parts = []
    for model in {t.model for t in tables}:
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COALESCE(MAX(id), 0) FROM {table})")  # noqa: S608
        if connection.vendor == "postgresql":
            parts.append(f"(SELECT last_value FROM {_sequence(model)})")  # noqa: S608
    top = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {top}({', '.join(parts)}, 0)")
        return int(cursor.fetchone()[0])


def ids_release(tables: Sequence[Table], last: int) -> None:
    """Move the tables' id sequences past ``last``, the largest id given, so
    that rows added later take ids after the load's (PostgreSQL; SQLite takes
    the next id after the largest in the table anyway)."""
    if connection.vendor != "postgresql":
        return
    sets = ", ".join(
        f"setval('{_sequence(m)}', GREATEST(%s, (SELECT last_value FROM {_sequence(m)})))"  # noqa: S608 (names from the catalogue)
        for m in {t.model for t in tables}
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sets}", [last] * sets.count("%s"))


_sequences: dict[str, str] = {}


def _sequence(model: type[Model]) -> str:
    """The name of the sequence behind ``model``'s id (PostgreSQL)."""
    table = model._meta.db_table
    if table not in _sequences:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]
