"""Changes to who cares for a child and who holds parental responsibility for
them: care arrangements, and periods of parental responsibility (an adoption or
parental order ends the other records still running, and any care order).
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db import transaction

from kinmap.accounts.models import User
from kinmap.core import model as core
from kinmap.core.responsibility import care_orders_ended_by, ended_by_order
from kinmap.core.vocab import PR_BASIS_LABELS, CarePlace, PRBasis

from .. import models as m
from ..errors import RecordError, refuse_hidden_characters
from ..known_dates import EXACT_SPAN, SpanAccuracy, span_dates
from .common import (
    _audit_each,
    _check_each,
    _diff,
    _end_each,
    _lock_version,
    _networks_for,
    _Proposal,
    _stamp,
    _touch_each,
)
from .data import CareData, Source_, _span_of


def _care_checks(d: CareData) -> None:
    if d.place not in {p.value for p in CarePlace}:
        raise RecordError("Choose where the care happens", field="place")
    refuse_hidden_characters(d.frequency, "frequency", "How often")
    refuse_hidden_characters(d.sleep_place, "sleep_place", "Where the baby sleeps")
    _span_of(d).check()


def _core_care(pk: int, carer_id: int, child_id: int, d: CareData) -> core.CareArrangement:
    return core.CareArrangement(
        pk,
        carer_id,
        child_id,
        CarePlace(d.place),
        d.frequency,
        d.overnight,
        d.supervised,
        d.start,
        d.end,
        d.sleep_place,
        **span_dates(d),
    )


@transaction.atomic
def care_create(
    *,
    actor: User,
    network: m.FamilyNetwork,
    carer: m.Person,
    child: m.Person,
    data: CareData,
    source: Source_ = Source_(),
) -> m.CareArrangement:
    source.check()
    _care_checks(data)
    new = m.CareArrangement(carer=carer, child=child)
    networks = _networks_for(actor, network, new, "care arrangement", change=False)
    _check_each(networks, _Proposal(care=[_core_care(-1, carer.pk, child.pk, data)]))
    care = m.CareArrangement(carer=carer, child=child, **dataclasses.asdict(data))
    _stamp(care, source, actor)
    care.save()
    _audit_each(
        networks,
        actor=actor,
        action="create",
        object_type="care",
        object_id=care.pk,
        changes={
            "carer": [None, carer.pk],
            "child": [None, child.pk],
            **{k: [None, v] for k, v in dataclasses.asdict(data).items()},
        },
    )
    _touch_each(networks, actor)
    return care


@transaction.atomic
def care_update(
    *,
    actor: User,
    network: m.FamilyNetwork,
    care: m.CareArrangement,
    data: CareData,
    expected_version: int | None,
    source: Source_ = Source_(),
) -> m.CareArrangement:
    source.check()
    _care_checks(data)
    row: m.CareArrangement = _lock_version(m.CareArrangement, care.pk, expected_version, "care arrangement")
    networks = _networks_for(actor, network, row, "care arrangement", change=True)
    _check_each(networks, _Proposal(care=[_core_care(row.pk, row.carer_id, row.child_id, data)]))
    old = {k: getattr(row, k) for k in dataclasses.asdict(data)}
    for k, v in dataclasses.asdict(data).items():
        setattr(row, k, v)
    if source.source:
        _stamp(row, source, actor)
    row.version += 1
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update",
        object_type="care",
        object_id=row.pk,
        changes=_diff(old, dataclasses.asdict(data)),
    )
    _touch_each(networks, actor)
    return row


# -- parental responsibility ---------------------------------------------


def _core_pr(row: m.ParentalResponsibility) -> core.ParentalResponsibility:
    return core.ParentalResponsibility(
        row.pk,
        m.pr_holder_id(row),
        row.child_id,
        PRBasis(row.basis),
        row.start,
        None,
        row.end,
        **span_dates(row),
    )


@transaction.atomic
def pr_set(
    *,
    actor: User,
    network: m.FamilyNetwork,
    person: m.Person,
    child: m.Person,
    basis: str,
    start: date | None = None,
    end: date | None = None,
    source: Source_ = Source_(),
    record: m.ParentalResponsibility | None = None,
    expected_version: int | None = None,
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.ParentalResponsibility:
    """Record a period of a person's parental responsibility for a child
    (``record`` None: a new record) or change one (``record``, whose version
    must be ``expected_version``). ``start`` and ``end`` are dates (None: not
    known, and still running), known as ``accuracy`` says (default exact).

    An adoption or parental order ends, on the day it was made, every other
    record for the child still running then, and any care order (the local
    authority's parental responsibility; ``kinmap.core.responsibility``);
    each record it ends is audited as a change. Raises :class:`RecordError`
    (nothing saved) for a basis not in ``PRBasis``, a child holding it for
    themselves, or a network problem (``kinmap.core.validation``: dates that
    cannot be, two records for the pair at once, an order without its date),
    and :class:`StaleEdit` for a change to a record changed since it was loaded.
    """
    source.check()
    accuracy.check()
    if basis not in {b.value for b in PRBasis}:
        raise RecordError("Choose the basis of parental responsibility", field="basis")
    if person.pk == child.pk:
        raise RecordError("A child cannot hold parental responsibility for themselves", field="person")
    what = "parental responsibility record"
    row = None
    if record is not None:
        row = _lock_version(m.ParentalResponsibility, record.pk, expected_version, what)
    networks = _networks_for(
        actor,
        network,
        row or m.ParentalResponsibility(person=person, child=child),
        what,
        change=row is not None,
    )
    if row is not None:
        person, child = row.person, row.child
    proposed = core.ParentalResponsibility(
        row.pk if row else -1, person.pk, child.pk, PRBasis(basis), start, None, end, **accuracy.core()
    )
    locked = list(
        m.ParentalResponsibility.objects.select_for_update().filter(child=child).exclude(pk=proposed.id)
    )
    others = [x for x in locked if x.person_id is not None]
    orders = [x for x in locked if x.person_id is None]  # care orders: the local authority's
    ended = ended_by_order([_core_pr(x) for x in others], proposed)
    ended_rows = [x for x in others if x.pk in ended]
    orders_ended = care_orders_ended_by(
        [
            core.CareOrder(o.pk, o.child_id, o.local_authority, o.start, o.end, **span_dates(o))
            for o in orders
        ],
        proposed,
    )
    changed = [proposed, *(dataclasses.replace(_core_pr(x), end=ended[x.pk]) for x in ended_rows)]
    _check_each(networks, _Proposal(pr=changed))
    new = {"basis": basis, "start": start, "end": end, **dataclasses.asdict(accuracy)}
    old = {k: getattr(row, k) for k in new} if row else {}
    if row is None:
        row = m.ParentalResponsibility(person=person, child=child, **new)
    else:
        for k, v in new.items():
            setattr(row, k, v)
        row.version += 1
    _stamp(row, source, actor)
    row.save()
    _audit_each(
        networks,
        actor=actor,
        action="update" if old else "create",
        object_type="parental_responsibility",
        object_id=row.pk,
        changes=_diff(old, new),
    )
    label = PR_BASIS_LABELS[PRBasis(basis)].lower()
    _end_each(ended_rows, ended, actor, networks, f"ended by the {label} (record {row.pk})")
    _end_each(
        [o for o in orders if o.pk in orders_ended],
        orders_ended,
        actor,
        networks,
        f"care order ended by the {label} (record {row.pk})",
    )
    _touch_each(networks, actor)
    return row
