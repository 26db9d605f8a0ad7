"""Services for care orders: the local authority's parental responsibility.

Under a care order (Children Act 1989 s31; interim, s38) the designated local
authority holds parental responsibility for the child, shared with the parents
who have it (s33(3)). The holder is an organisation, so a care order is stored
as a parental responsibility row with no person and the authority's name
(``kinmap.records.models.ParentalResponsibility``); the core sees it as a
:class:`kinmap.core.model.CareOrder`. Like every service, one transaction,
audited, refusing a stale edit.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db import transaction

from kinmap.accounts.models import User
from kinmap.core import model as core
from kinmap.core.responsibility import care_order_problems
from kinmap.core.vocab import PRBasis

from . import models as m
from .errors import RecordError, refuse_hidden_characters
from .known_dates import EXACT_SPAN, SpanAccuracy, span_dates
from .selectors import person_to_core
from .services import Source_
from .services.common import _audit_each, _lock_version, _networks_for, _stamp, _touch_each

WHAT = "care order"
NO_SOURCE = Source_()


def _core_order(row: m.ParentalResponsibility) -> core.CareOrder:
    return core.CareOrder(row.pk, row.child_id, row.local_authority, row.start, row.end, **span_dates(row))


@transaction.atomic
def care_order_set(
    *,
    actor: User,
    network: m.FamilyNetwork,
    child: m.Person,
    local_authority: str,
    start: date | None,
    end: date | None = None,
    source: Source_ = NO_SOURCE,
    record: m.ParentalResponsibility | None = None,
    expected_version: int | None = None,
    accuracy: SpanAccuracy = EXACT_SPAN,
) -> m.ParentalResponsibility:
    """Record a care order for ``child`` (``record`` None) or change one
    (``record``, a care order row whose version must be ``expected_version``):
    ``local_authority`` is the designated authority's name, ``start`` the day
    the order was made, ``end`` the day it ended (None: still in force), each
    known as ``accuracy`` says (``kinmap.records.known_dates``; default exact).

    Raises :class:`RecordError` (nothing saved) for a child not in the network,
    or any of :func:`kinmap.core.responsibility.care_order_problems` (no
    authority, no date, an unborn child, an end before the start, another care
    order at the same time), and :class:`StaleEdit` for a change to a record
    changed since it was loaded; ``Http404`` for a record of another network.
    """
    source.check()
    accuracy.check()
    local_authority = local_authority.strip()
    refuse_hidden_characters(local_authority, "local_authority", "The local authority")
    row = None
    if record is not None:
        row = _lock_version(m.ParentalResponsibility, record.pk, expected_version, WHAT)
        if row.person_id is not None:
            raise RecordError("This is not a care order", field="local_authority")
        child = row.child
    if not m.NetworkMember.objects.filter(network=network, person=child).exists():
        raise RecordError("Choose a child in this family", field="child")
    networks = _networks_for(
        actor,
        network,
        row or m.ParentalResponsibility(child=child, local_authority=local_authority),
        WHAT,
        change=row is not None,
    )
    others = [
        _core_order(x)
        for x in m.ParentalResponsibility.objects.select_for_update().filter(child=child, person__isnull=True)
    ]
    proposed = core.CareOrder(
        row.pk if row else -1, child.pk, local_authority, start, end, None, **accuracy.core()
    )
    problems = care_order_problems(proposed, others, person_to_core(child, [], [], {}))
    if problems:
        field, message = problems[0]
        raise RecordError(message, field=field)
    new = {"local_authority": local_authority, "start": start, "end": end, **dataclasses.asdict(accuracy)}
    old = {k: getattr(row, k) for k in new} if row else {}
    if row is None:
        row = m.ParentalResponsibility(
            person=None, child=child, basis=PRBasis.COURT_ORDER.value, local_authority=local_authority
        )
    else:
        row.version += 1
    for k, v in new.items():
        setattr(row, k, v)
    _stamp(row, source, actor)
    row.save()
    changes = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
    if not old:
        changes = {"child": [None, child.pk], **changes}
    _audit_each(
        networks,
        actor=actor,
        action="update" if old else "create",
        object_type="care_order",
        object_id=row.pk,
        changes=changes,
    )
    _touch_each(networks, actor)
    return row
