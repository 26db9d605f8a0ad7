"""Querysets built and compiled to SQL once per database connection, then run
with new values: the reads every page makes (the session, the signed-in user,
the family network and whether it is allocated to the user's team).

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

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, Field, Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

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
