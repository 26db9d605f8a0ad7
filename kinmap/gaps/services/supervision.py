"""Supervisors' decisions: agreeing (or not) that a critical gap does not
apply, and a decision about a family or one gap with the actions agreed
(``kinmap.gaps.actions``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, refuse_hidden_characters
from kinmap.records.services.common import _touch

from .. import models as gm
from ..models import EventKind, GapState, NotApplicable, Outcome
from ..summaries import gap_summaries_refresh
from .common import _begin_write, _lock_gap, _now, _require_supervisor


@dataclass(frozen=True)
class ActionData:
    """An action agreed at supervision: what (words), the user who will do it,
    and the day it is due by."""

    description: str
    owner: User | None
    due: date | None


@transaction.atomic
def gap_not_applicable_agree(
    *, actor: User, gap: gm.Gap, agree: bool, comment: str = "", expected_version: int | None
) -> gm.Gap:
    """A supervisor agrees (or does not) that a critical gap does not apply.
    ``expected_version`` is the version of the gap the supervisor saw."""
    _require_supervisor(actor, "agree that a critical gap does not apply")
    row = _lock_gap(gap, expected_version)
    if row.na_status != NotApplicable.PENDING:
        raise RecordError("Nobody has asked for this gap to be treated as not applicable")
    comment = (comment or "").strip()
    if not agree and not comment:
        raise RecordError("Say why you do not agree", field="comment")
    refuse_hidden_characters(comment, "comment", "Your comment", multiline=True)
    now = _now()
    old = row.na_status
    if agree:
        row.na_status = NotApplicable.AGREED
        row.na_agreed_by, row.na_agreed_at = actor, now
    else:
        row.na_status = NotApplicable.REFUSED
    row.version += 1
    row.save()
    gap_summaries_refresh(network_ids=[row.network_id])
    gm.GapEvent.objects.create(
        gap=row, kind=EventKind.NA_AGREED if agree else EventKind.NA_REFUSED, reason=comment, by=actor, at=now
    )
    if agree:
        gm.ContactGapOutcome.objects.filter(
            gap=row, outcome=Outcome.PENDING, contact__status=gm.Contact.Status.OPEN
        ).update(outcome=Outcome.ABSENT, state=GapState.NOT_APPLICABLE, by=actor, at=now)
    audit_record(
        actor=actor,
        action="agree" if agree else "refuse",
        object_type="gap",
        object_id=row.pk,
        network_id=row.network_id,
        changes={"na_status": [old, row.na_status]},
        reason=comment,
    )
    return row


@transaction.atomic
def supervisor_decision_record(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    decision: str,
    actions: str = "",
    gap: gm.Gap | None = None,
    agency_request_considered: bool = False,
    action_items: Sequence[ActionData] = (),
) -> gm.SupervisorDecision:
    """A supervisor's decision about a family (or one gap), and the actions agreed:
    ``actions`` in words (older decisions), ``action_items`` each with an owner
    and a due date (:func:`kinmap.gaps.actions.supervisor_action_create`, in this
    transaction). For a gap, it can record that a request to another agency was
    considered."""
    from ..actions import supervisor_action_create

    _require_supervisor(actor, "record a supervision decision")
    decision, actions = (decision or "").strip(), (actions or "").strip()
    if not decision:
        raise RecordError("Enter the decision", field="decision")
    refuse_hidden_characters(decision, "decision", "The decision", multiline=True)
    refuse_hidden_characters(actions, "actions", "The actions", multiline=True)
    if gap is not None and gap.network_id != network.pk:
        raise RecordError("Choose a gap of this family", field="gap")
    _begin_write(network.pk)
    if agency_request_considered and gap is None:
        raise RecordError("Choose the gap a request to another agency was considered for", field="gap")
    row = gm.SupervisorDecision.objects.create(
        network=network,
        gap=gap,
        decision=decision,
        actions=actions,
        agency_request_considered=agency_request_considered,
        by=actor,
        at=_now(),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="supervisor_decision",
        object_id=row.pk,
        network_id=network.pk,
        changes={
            "decision": [None, decision],
            "actions": [None, actions],
            "gap": [None, gap.pk if gap else None],
            "agency_request_considered": [None, agency_request_considered],
        },
    )
    for i, item in enumerate(action_items, start=1):
        try:
            supervisor_action_create(actor=actor, decision=row, data=item)
        except RecordError as err:  # name the row at fault: action1-owner ...
            raise RecordError(
                [dataclasses.replace(p, field=f"action{i}-{p.field}") for p in err.problems]
            ) from None
    if agency_request_considered:
        _touch(network, actor)  # information requirement 14 reads it
    return row
