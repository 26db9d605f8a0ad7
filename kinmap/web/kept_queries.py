"""Querysets built and compiled to SQL once per database connection, then run
with new values: the reads every page makes (the session, the signed-in user,
the family network and whether it is allocated to the user's team); and the
INSERT of one row (:class:`KeptInsert`: the audit event of every read).

Building a queryset (``filter``, ``annotate``) and compiling it to SQL costs
the process far more than sending the text and reading its one row back: for
the three reads of every family page about a fifth of the page's time in
the process. A :class:`KeptQuery` is built once with :class:`Param` where its
values go; each run fills them in (prepared as the field they are compared
with prepares a value: ``Field.get_db_prep_value``) and makes the instances
as the queryset itself would (``ModelIterable``: ``from_db``, the
``select_related`` objects, the annotations). The statement goes through
Django's cursor, so it is counted, logged and seen by the execute wrappers
like any other.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)


class Param(Expression):
    """Where the value named ``name`` goes in a :class:`KeptQuery`
    (``filter(pk=Param("pk", Model._meta.pk))``); ``output_field`` is the
    field the value is compared with (the model's own, as a lookup's), which
    prepares it for the database."""

    def __init__(self, name: str, output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        return "%s", [self]

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


# per connection: the compiler (its select and klass_info filled), the SQL,
# its parameters (Param where a value goes) and the columns' converters
_Compiled = tuple[Any, str, list[Any], dict[int, Any]]


class KeptQuery(Generic[M]):
    """The queryset ``build()`` (of model instances, its values :class:`Param`),
    compiled once per database connection; :meth:`first` runs it.

    ``build`` must not depend on anything but its Params: it is called once
    for each connection."""

    def __init__(self, build: Callable[[], QuerySet[M, M]]) -> None:
        self.build = build
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = (
            weakref.WeakKeyDictionary()
        )

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        found = self._compiled.get(connection)
        if found is None:
            compiler = self.build().query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            found = (compiler, sql, list(params), converters)
            self._compiled[connection] = found
        return found

    def all(self, using: str = "default", **values: Any) -> list[M]:
        """The instances the queryset gives with ``values`` (by Param name)
        in place of its Params, as ``list(queryset)`` makes them.

        Raises ``KeyError`` for a Param without a value."""
        compiler, sql, params, converters = self._compile(using)
        connection = connections[using]
        filled = [
            p.output_field.get_db_prep_value(values[p.name], connection, prepared=False)
            if isinstance(p, Param)
            else p
            for p in params
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, filled)
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        out = []
        for row in rows:
            obj = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, at in (annotations or {}).items():
                setattr(obj, attr, row[at])
            out.append(obj)
        return out

    def first(self, using: str = "default", **values: Any) -> M | None:
        """The first instance of :meth:`all` (the queryset is sliced to
        one row, ordered as ``first()`` orders it), or None."""
        found = self.all(using, **values)
        return found[0] if found else None


def first_of(queryset: QuerySet[M, M]) -> QuerySet[M, M]:
    """``queryset`` as ``first()`` runs it: ordered by pk unless it is
    ordered already, one row."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


class KeptInsert(Generic[M]):
    """The INSERT of one new instance of ``model`` (every column but an
    automatic primary key, the key read back), compiled once per database
    connection: :meth:`insert` does what ``obj.save(force_insert=True)``
    does for such a model, without building and compiling the statement
    again. Django's own compiler prepares each value
    (``SQLInsertCompiler.prepare_value`` of ``pre_save_val``), so the row is
    the same; the statement goes through Django's cursor. A model whose
    saving anything listens for (``pre_save``, ``post_save``), or a database
    that cannot read the key back with the INSERT, is saved as before."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, tuple[Any, str, list[Any], Any]] = (
            weakref.WeakKeyDictionary()
        )

    def _compile(self, obj: M, using: str) -> tuple[Any, str, list[Any], Any]:
        connection = connections[using]
        found = self._compiled.get(connection)
        if found is None:
            meta = self.model._meta
            fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
            query = InsertQuery(self.model)
            query.insert_values(fields, [obj])
            compiler = query.get_compiler(using=using)
            compiler.returning_fields = meta.db_returning_fields
            ((sql, _),) = compiler.as_sql()
            columns = [f.get_col(meta.db_table) for f in meta.db_returning_fields]
            found = (compiler, sql, fields, compiler.get_converters(columns))
            self._compiled[connection] = found
        return found

    def insert(self, obj: M, using: str = "default") -> None:
        """Insert ``obj`` (new, its key not set) and set its key from the
        row, as ``obj.save(force_insert=True, using=using)`` does."""
        connection = connections[using]
        model = self.model
        if (
            type(obj) is not model
            or not connection.features.can_return_columns_from_insert
            or pre_save.has_listeners(model)
            or post_save.has_listeners(model)
        ):
            obj.save(force_insert=True, using=using)
            return
        compiler, sql, fields, converters = self._compile(obj, using)
        params = [compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in fields]
        params += compiler.returning_params
        with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [connection.ops.fetch_returned_insert_columns(cursor, compiler.returning_params)]
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        for value, field in zip(rows[0], model._meta.db_returning_fields, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
