"""Moving every row that refers to a person onto another person, generically,
and putting it back exactly.

The rows are found by walking every relation to :class:`~kinmap.records.models.Person`
(``Person._meta`` reverse relations, hidden ones included: a foreign key declared
with ``related_name="+"`` and the rows of a many-to-many table), so a model that
another part of kinmap adds later is covered without changing this module. The
merging app's own tables are left alone (they record the merge itself); so is
any app listed in :data:`SKIPPED_APPS`, and so is the record-time history
(what was recorded about each person, kept as it was).

A row that after the move would break a unique constraint (both people in the
same network, the same relationship recorded twice, a fact under the same key)
or would point at the survivor through two of its fields (a relationship between
the two records of one person) is not moved: it is removed, with every row its
deletion cascades to, and kept serialised so that it can be restored as it was.
The survivor's clashing row keeps its own values, except that a true/false field
true on the removed row is set true on it (an index child stays an index child);
that change is recorded too. The choice is deterministic: rows are visited by
model label, then primary key.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core import serializers
from django.db import models
from django.db.models.deletion import Collector

from kinmap.records.models import Person

# Apps whose rows about a person are not family facts to move: this app's own
# record of merges and candidates, and the match keys, which the matching app
# recomputes after a merge (``person_match_keys_refresh``).
SKIPPED_APPS = frozenset({"merging", "matching"})

Link = tuple[type[models.Model], tuple["models.ForeignObject[Any, Any]", ...]]


def _is_history(model: type[models.Model]) -> bool:
    """A record-time history table (django-simple-history's generated model,
    which names the model it tracks as ``instance_type``): what was recorded
    about whom, and when. A merge never rewrites it; the merge is itself a
    change the history and the audit trail keep."""
    return getattr(model, "instance_type", None) is not None


def person_links() -> list[Link]:
    """Every model with a foreign key (or one-to-one) to Person, with those
    fields, sorted by model label. Many-to-many relations appear as their
    through table (its foreign key to Person)."""
    found: dict[type[models.Model], list[models.ForeignObject[Any, Any]]] = {}
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue
        field = rel.field  # type: ignore[union-attr]
        model = field.model
        if model._meta.app_label in SKIPPED_APPS or _is_history(model):
            continue
        if field not in found.setdefault(model, []):
            found[model].append(field)
    return [
        (model, tuple(sorted(fields, key=lambda f: f.attname)))
        for model, fields in sorted(found.items(), key=lambda kv: kv[0]._meta.label_lower)
    ]


def _unique_sets(model: type[models.Model]) -> list[tuple[str, ...]]:
    """The field sets each unconditional unique constraint of ``model`` covers."""
    meta = model._meta
    sets = [tuple(t) for t in meta.unique_together]
    sets += [
        tuple(c.fields)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    sets += [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    return sets


def _clash(model: type[models.Model], row: models.Model, new: dict[str, int]) -> models.Model | None:
    """The row (lowest id) that ``row`` would duplicate under a unique
    constraint once its fields ``new`` (attname -> person id) are set."""
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    moved = {by_attname[a] for a in new}
    for names in _unique_sets(model):
        if not moved & set(names):
            continue
        lookup = {}
        for name in names:
            attname = next(a for a, n in by_attname.items() if n == name)
            lookup[attname] = new.get(attname, getattr(row, attname))
        other = model._base_manager.filter(**lookup).exclude(pk=row.pk).order_by("pk").first()
        if other is not None:
            return other
    return None


def _exact(value: Any) -> Any:
    """JSON for what Django's python serialiser leaves as objects, keeping every
    digit (Django's JSON encoder cuts times to milliseconds)."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"cannot keep {type(value).__name__}")


def _serialise(objs: Iterable[models.Model]) -> list[dict[str, Any]]:
    """Rows as Django's python serialiser gives them, as exact JSON."""
    data: list[dict[str, Any]] = json.loads(json.dumps(serializers.serialize("python", objs), default=_exact))
    return data


def _remove(row: models.Model) -> list[dict[str, Any]]:
    """Delete ``row`` and what its deletion cascades to; their serialised form,
    in the order to restore them (referenced rows first)."""
    collector = Collector(using=row._state.db or "default")
    collector.collect([row])
    collector.sort()
    ordered = [obj for model in reversed(list(collector.data)) for obj in collector.data[model]]
    snapshot = _serialise(ordered)
    collector.delete()
    return snapshot


def _or_booleans(kept: models.Model, removed: models.Model) -> dict[str, Any]:
    """Set true on ``kept`` every true/false field true on ``removed``; the old
    values of those changed."""
    old: dict[str, Any] = {}
    for f in kept._meta.concrete_fields:
        if (
            isinstance(f, models.BooleanField)
            and getattr(removed, f.attname)
            and not getattr(kept, f.attname)
        ):
            old[f.attname] = False
    if old:
        type(kept)._base_manager.filter(pk=kept.pk).update(**dict.fromkeys(old, True))
    return old


def rows_move(survivor_id: int, merged_id: int) -> tuple[list[dict[str, Any]], ...]:
    """Repoint every row referring to person ``merged_id`` at ``survivor_id``.

    Returns ``(moved, removed, kept_changes)`` as described on
    :class:`kinmap.merging.models.Merge`."""
    moved: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    kept_changes: list[dict[str, Any]] = []
    for model, fields in person_links():
        label = model._meta.label_lower
        q = models.Q()
        for f in fields:
            q |= models.Q(**{f.attname: merged_id})
        for row in list(model._base_manager.filter(q).order_by("pk")):
            if not model._base_manager.filter(pk=row.pk).exists():
                continue  # removed already, by an earlier removal's cascade
            new = {f.attname: survivor_id for f in fields if getattr(row, f.attname) == merged_id}
            after = [new.get(f.attname, getattr(row, f.attname)) for f in fields]
            kept = None if after.count(survivor_id) > 1 else _clash(model, row, new)
            if after.count(survivor_id) > 1 or kept is not None:
                if kept is not None:
                    old = _or_booleans(kept, row)
                    if old:
                        kept_changes.append({"model": label, "pk": kept.pk, "fields": old})
                removed.extend(_remove(row))
                continue
            model._base_manager.filter(pk=row.pk).update(**new)
            moved.append({"model": label, "pk": row.pk, "fields": sorted(new)})
    return moved, removed, kept_changes


def rows_restore(
    merged_id: int,
    moved: list[dict[str, Any]],
    removed: list[dict[str, Any]],
    kept_changes: list[dict[str, Any]],
) -> None:
    """Undo :func:`rows_move`: the survivor's clashing rows get their old
    values back, the removed rows are recreated with their ids, and the moved
    rows point at ``merged_id`` again. Raises ``IntegrityError`` when the record
    changed since in a way that makes that impossible."""
    for change in kept_changes:
        apps.get_model(change["model"])._base_manager.filter(pk=change["pk"]).update(**change["fields"])
    for obj in serializers.deserialize("python", removed):
        obj.save()
    for row in moved:
        model = apps.get_model(row["model"])
        model._base_manager.filter(pk=row["pk"]).update(**dict.fromkeys(row["fields"], merged_id))
