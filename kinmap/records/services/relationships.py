"""Changes to relationships between people: record one (a symmetric one is
stored once, whichever way round it was entered), change it, remove it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kinmap.accounts.models import User
from kinmap.core.vocab import rel_type

from .. import models as m
from ..errors import RecordError, refuse_hidden_characters
from .common import (
    _audit_each,
    _check_each,
    _diff,
    _lock_version,
    _networks_for,
    _Proposal,
    _stamp,
    _touch_each,
)
from .data import RelationshipData, Source_


def _rel_type_or_error(code: str) -> None:
    try:
        rel_type(code)
    except ValueError:
        raise RecordError("Choose a relationship from the list", field="type") from None


def _relationship_insert(
    actor: User | None,
    networks: list[m.FamilyNetwork],
    a: m.Person,
    b: m.Person,
    data: RelationshipData,
    source: Source_,
) -> m.Relationship:
    # Symmetric types are stored once, whichever way round they were entered.
    t = rel_type(data.type)
    if t.symmetric and m.Relationship.objects.filter(from_person=b, to_person=a, type=data.type).exists():
        raise RecordError("This relationship is already recorded", field="type")
    rel = m.Relationship(
        from_person=a,
        to_person=b,
        type=data.type,
        legal_basis=data.legal_basis,
        **data.dates(),
    )
    _stamp(rel, source, actor)
    try:
        with transaction.atomic():
            rel.save()
    except IntegrityError:
        raise RecordError("This relationship is already recorded", field="type") from None
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="relationship",
        object_id=rel.pk,
        changes={
            "from": [None, a.pk],
            "to": [None, b.pk],
            "type": [None, data.type],
            **{k: [None, v] for k, v in data.dates().items()},
            "legal_basis": [None, data.legal_basis],
        },
    )
    return rel


@transaction.atomic
def relationship_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    from_person: m.Person,
    to_person: m.Person,
    data: RelationshipData,
    source: Source_ = Source_(),
) -> m.Relationship:
    """Record that ``from_person`` is <type> of ``to_person``."""
    source.check()
    _rel_type_or_error(data.type)
    if from_person.pk == to_person.pk:
        raise RecordError("A person cannot be related to themselves", field="to_person")
    new = m.Relationship(from_person=from_person, to_person=to_person)
    networks = _networks_for(actor, network, new, "relationship", change=False)
    _check_each(
        networks,
        _Proposal(relationships=[data.core(-1, from_person.pk, to_person.pk)]),
    )
    rel = _relationship_insert(actor, networks, from_person, to_person, data, source)
    _touch_each(networks, actor)
    return rel


@transaction.atomic
def relationship_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    relationship: m.Relationship,
    data: RelationshipData,
    expected_version: int | None,
    source: Source_ = Source_(),
) -> m.Relationship:
    source.check()
    _rel_type_or_error(data.type)
    row: m.Relationship = _lock_version(m.Relationship, relationship.pk, expected_version, "relationship")
    networks = _networks_for(actor, network, row, "relationship", change=True)
    _check_each(
        networks,
        _Proposal(relationships=[data.core(row.pk, row.from_person_id, row.to_person_id)]),
    )
    old = {"type": row.type, "legal_basis": row.legal_basis, **{k: getattr(row, k) for k in data.dates()}}
    row.type, row.legal_basis = data.type, data.legal_basis
    for k, v in data.dates().items():
        setattr(row, k, v)
    if source.source:
        _stamp(row, source, actor)
    row.version += 1
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise RecordError("This relationship is already recorded", field="type") from None
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="relationship",
        object_id=row.pk,
        changes=_diff(old, {"type": row.type, "legal_basis": row.legal_basis, **data.dates()}),
    )
    _touch_each(networks, actor)
    return row


@transaction.atomic
def relationship_delete(
    *,
    actor: User,
    network: m.FamilyNetwork,
    relationship: m.Relationship,
    reason: str,
    expected_version: int | None = None,
) -> None:
    if not reason.strip():
        raise RecordError("Say why this relationship is being removed", field="reason")
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    relationship = _lock_version(m.Relationship, relationship.pk, expected_version, "relationship")
    networks = _networks_for(actor, network, relationship, "relationship", change=True)
    old = {"from": relationship.from_person_id, "to": relationship.to_person_id, "type": relationship.type}
    pk = relationship.pk
    relationship._history_user = actor  # type: ignore[attr-defined]  # the history row: who and why
    relationship._change_reason = reason.strip()  # type: ignore[attr-defined]
    relationship.delete()
    _audit_each(
        networks,
        actor=actor,
        action="delete",
        object_type="relationship",
        object_id=pk,
        changes={k: [v, None] for k, v in old.items()},
        reason=reason.strip(),
    )
    _touch_each(networks, actor)
