"""What happened about a gap: why there is no answer (:class:`Answer`, a FHIR
data-absent reason, recorded with :func:`gap_answer`), and the outcome at a
contact of each gap shown there (answered, asked but no answer, not asked this
time).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.text import text_error
from kinmap.core.validation import Problem
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, refuse_hidden_characters
from kinmap.records.lifecycle import network_began, occurred_on_problem
from kinmap.records.services.common import _touch

from .. import models as gm
from ..models import ABSENT_STATES, EventKind, GapState, NotApplicable, Outcome, Severity
from ..summaries import gap_summaries_refresh
from .common import _lock_contact, _lock_gap, _now, _require_family_role, _today


@dataclass(frozen=True)
class Answer:
    """What was said when a gap was asked about (an absent reason)."""

    state: str
    reason: str = ""  # declined: their reason, in their words; not-applicable: justification
    practitioner_view: str = ""  # declined
    from_whom: str = ""  # temp-unknown: who will find out or tell
    declined_by: rm.Person | None = None  # declined: who declined


def _check_answer(answer: Answer, network: rm.FamilyNetwork) -> Answer:
    a = dataclasses.replace(
        answer,
        reason=(answer.reason or "").strip(),
        practitioner_view=(answer.practitioner_view or "").strip(),
        from_whom=(answer.from_whom or "").strip(),
    )
    if a.state not in ABSENT_STATES:
        raise RecordError("Choose what happened when you asked", field="state")
    problems = []
    if a.state == GapState.ASKED_DECLINED:
        if a.declined_by is None:
            problems.append(("declined_by", "Choose who declined to say"))
        elif not rm.NetworkMember.objects.filter(network=network, person=a.declined_by).exists():
            problems.append(("declined_by", "Choose someone recorded in this family"))
        if not a.reason:
            problems.append(("reason", "Enter the reason they gave, in their words"))
        if not a.practitioner_view:
            problems.append(("practitioner_view", "Enter your view of why they declined"))
    if a.state == GapState.TEMP_UNKNOWN and not a.from_whom:
        problems.append(("from_whom", "Say who will find out, or who will be asked"))
    if a.state == GapState.NOT_APPLICABLE and not a.reason:
        problems.append(("reason", "Say why this does not apply"))
    for f, label, multiline in (
        ("reason", "The reason", True),
        ("practitioner_view", "Your view", True),
        ("from_whom", "Who will find out", False),
    ):
        if hidden := text_error(getattr(a, f), what=label, multiline=multiline):
            problems.append((f, hidden))
    if problems:
        raise RecordError([Problem("gap", 0, f, msg) for f, msg in problems])
    return a


def _answer(
    actor: User, gap: gm.Gap, a: Answer, contact: gm.Contact | None, now: datetime, occurred_on: date
) -> tuple[gm.Gap, dict[str, list[object]]]:
    old = {"state": gap.state, "na_status": gap.na_status}
    gap.state = a.state
    gap.na_status = NotApplicable.NONE
    gap.na_justification = ""
    if a.state == GapState.ASKED_DECLINED:
        gap.times_declined += 1
    if a.state == GapState.NOT_APPLICABLE:
        gap.na_justification = a.reason
        if gap.severity == Severity.CRITICAL:
            gap.na_status = NotApplicable.PENDING
        else:
            gap.na_status = NotApplicable.AGREED
            gap.na_agreed_by = actor
            gap.na_agreed_at = now
    gap.version += 1
    gap.save()
    gm.GapEvent.objects.create(
        gap=gap,
        kind=EventKind.ANSWERED,
        state=a.state,
        reason=a.reason,
        practitioner_view=a.practitioner_view,
        from_whom=a.from_whom,
        declined_by=a.declined_by,
        contact=contact,
        by=actor,
        at=now,
        occurred_on=occurred_on,
    )
    changes: dict[str, list[object]] = {
        "state": [old["state"], gap.state],
        "na_status": [old["na_status"], gap.na_status],
        "occurred_on": [None, occurred_on],
    }
    for k in ("reason", "practitioner_view", "from_whom"):
        if getattr(a, k):
            changes[k] = [None, getattr(a, k)]
    if a.declined_by is not None:
        changes["declined_by"] = [None, a.declined_by.pk]
    return gap, changes


@transaction.atomic
def gap_answer(
    *,
    actor: User,
    gap: gm.Gap,
    answer: Answer,
    contact: gm.Contact | None = None,
    expected_version: int | None,
    occurred_on: date | None = None,
) -> gm.Gap:
    """Record why there is no answer to a gap (a FHIR data-absent reason): not
    known, declined (with who, their reason and the practitioner's view), will
    find out (from whom), masked, or not applicable (with a justification; a
    critical gap waits for a supervisor to agree).

    ``occurred_on`` is the day it was asked (None: the contact's date, or
    today without a contact); it may be before today (recorded after the
    event) but not in the future nor before the work with the family began
    (``RecordError`` on field ``occurred_on``). The time it was typed is kept
    as well (the event's ``at``)."""
    _require_family_role(actor)
    row = _lock_gap(gap, expected_version)
    if not row.is_open:
        raise RecordError("This gap is no longer open: nothing to record")
    network = rm.FamilyNetwork.objects.get(pk=row.network_id)
    a = _check_answer(answer, network)
    day = occurred_on or (contact.date if contact is not None else _today())
    if problem := occurred_on_problem(day, began=network_began(network), what="The date it was asked"):
        raise RecordError(problem, field="occurred_on")
    if contact is not None:
        contact = _lock_contact(contact)
        _outcome_row(contact, row)  # checks the gap was shown at this contact
    now = _now()
    row, changes = _answer(actor, row, a, contact, now, day)
    gap_summaries_refresh(network_ids=[row.network_id])
    if contact is not None:
        gm.ContactGapOutcome.objects.filter(contact=contact, gap=row).update(
            outcome=Outcome.ABSENT, state=a.state, reason=a.reason, by=actor, at=now
        )
        changes["contact"] = [None, contact.pk]
    audit_record(
        actor=actor,
        action="answer",
        object_type="gap",
        object_id=row.pk,
        network_id=row.network_id,
        changes=changes,
    )
    _touch(network, actor)  # a decline is a process input of the rules
    row.refresh_from_db()
    return row


def _outcome_row(contact: gm.Contact, gap: gm.Gap) -> gm.ContactGapOutcome:
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to record more answers")
    row = gm.ContactGapOutcome.objects.filter(contact=contact, gap=gap).first()
    if row is None:
        raise RecordError("This gap was not shown at this contact")
    return row


@transaction.atomic
def contact_record_outcome(
    *,
    actor: User,
    contact: gm.Contact,
    gap: gm.Gap,
    outcome: str,
    answer: Answer | None = None,
    reason: str = "",
    expected_version: int | None = None,
    occurred_on: date | None = None,
) -> gm.ContactGapOutcome:
    """Record what happened at a contact to a gap shown there: answered (the fact
    has been recorded, which resolved it), asked but no answer (an absent
    reason), or not asked this time (with the reason)."""
    _require_family_role(actor)
    contact = _lock_contact(contact)
    row = _outcome_row(contact, gap)
    if outcome == Outcome.ANSWERED:
        fresh = gm.Gap.objects.get(pk=gap.pk)
        if fresh.is_open:
            raise RecordError(
                f"Record the answer first ({fresh.detail}): the gap is still open", field="outcome"
            )
        row.outcome, row.state = Outcome.ANSWERED, fresh.state
    elif outcome == Outcome.ABSENT:
        if answer is None:
            raise RecordError("Choose what happened when you asked", field="state")
        gap_answer(
            actor=actor,
            gap=gap,
            answer=answer,
            contact=contact,
            expected_version=expected_version,
            occurred_on=occurred_on,
        )
        row.refresh_from_db()
        return row
    elif outcome == Outcome.NOT_ASKED:
        reason = (reason or "").strip()
        if not reason:
            raise RecordError("Say why it was not asked this time", field="not_asked_reason")
        refuse_hidden_characters(reason, "not_asked_reason", "Why it was not asked", multiline=True)
        locked = _lock_gap(gap, expected_version)
        if not locked.is_open:
            raise RecordError("This gap is no longer open: nothing to record")
        gm.GapEvent.objects.create(
            gap=locked,
            kind=EventKind.NOT_ASKED_THIS_TIME,
            reason=reason,
            contact=contact,
            by=actor,
            at=_now(),
        )
        row.outcome, row.state, row.reason = Outcome.NOT_ASKED, locked.state, reason
    else:
        raise RecordError("Choose what happened", field="outcome")
    row.by, row.at = actor, _now()
    row.save()
    audit_record(
        actor=actor,
        action="outcome",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"gap": [None, gap.pk], "outcome": [None, row.outcome], "reason": [None, row.reason]},
    )
    return row


@transaction.atomic
def contact_not_asked_rest(*, actor: User, contact: gm.Contact, reason: str) -> int:
    """Record "not asked this time", with one reason, for every gap shown at the
    contact that has no outcome yet. Returns how many."""
    _require_family_role(actor)
    contact = _lock_contact(contact)
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to record more answers")
    reason = (reason or "").strip()
    if not reason:
        raise RecordError("Say why they were not asked this time", field="reason")
    refuse_hidden_characters(reason, "reason", "Why they were not asked", multiline=True)
    rows = list(contact.outcomes.filter(outcome=Outcome.PENDING).select_related("gap"))
    now = _now()
    gm.GapEvent.objects.bulk_create(
        [
            gm.GapEvent(
                gap=r.gap,
                kind=EventKind.NOT_ASKED_THIS_TIME,
                reason=reason,
                contact=contact,
                by=actor,
                at=now,
            )
            for r in rows
        ]
    )
    contact.outcomes.filter(pk__in=[r.pk for r in rows]).update(
        outcome=Outcome.NOT_ASKED, reason=reason, by=actor, at=now
    )
    audit_record(
        actor=actor,
        action="outcome",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"not_asked": [None, sorted(r.gap_id for r in rows)], "reason": [None, reason]},
    )
    return len(rows)
