"""Contacts with a family: start one (every open gap is shown, to revisit),
record who was seen directly and which households were confirmed, and close it
once every gap shown has an outcome (``kinmap.gaps.services.outcomes``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from django.db import transaction

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.validation import Problem
from kinmap.records import models as rm
from kinmap.records import services as rs
from kinmap.records.errors import RecordError
from kinmap.records.lifecycle import network_began, occurred_on_problem
from kinmap.records.services.common import _touch

from .. import models as gm
from ..models import Outcome
from .common import _begin_write, _lock_contact, _now, _require_family_role, _today
from .recompute import _recompute, _show


@transaction.atomic
def contact_open(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    type: str,
    date: date | None,
    present: Iterable[rm.Person] = (),
    seen_directly: Iterable[rm.Person] = (),
) -> gm.Contact:
    """Start a contact with the family. Everyone seen directly has that date
    recorded; every open gap is put before the practitioner to revisit."""
    _require_family_role(actor)
    if type not in gm.ContactType.values:
        raise RecordError("Choose the type of contact", field="type")
    if date is None:
        raise RecordError("Enter the date of the contact", field="date")
    if problem := occurred_on_problem(date, began=network_began(network), what="The date of the contact"):
        raise RecordError(problem, field="date")
    present, seen_directly = list(present), list(seen_directly)
    _begin_write(network.pk, people=seen_directly)
    members = set(rm.NetworkMember.objects.filter(network=network).values_list("person_id", flat=True))
    for field_name, people in (("present", present), ("seen_directly", seen_directly)):
        if any(p.pk not in members for p in people):
            raise RecordError("Choose people recorded in this family", field=field_name)
    already = gm.Contact.objects.filter(
        network=network, practitioner=actor, status=gm.Contact.Status.OPEN
    ).first()
    if already is not None:
        raise RecordError(
            f"You already have a contact open with this family ({already.get_type_display()}, "
            f"{already.date:%-d %B %Y}): close it before starting another"
        )
    everyone = {p.pk: p for p in [*present, *seen_directly]}
    contact = gm.Contact.objects.create(
        network=network, type=type, date=date, practitioner=actor, opened_at=_now()
    )
    contact.present.set(list(everyone.values()))
    contact.seen_directly.set(seen_directly)
    audit_record(
        actor=actor,
        action="create",
        object_type="contact",
        object_id=contact.pk,
        network_id=network.pk,
        changes={
            "type": [None, type],
            "date": [None, date],
            "present": [None, sorted(everyone)],
            "seen_directly": [None, sorted(p.pk for p in seen_directly)],
        },
    )
    # Bring the gaps up to date and show every open one; then record who was
    # seen, which answers the gaps about being seen at this contact.
    _recompute(network, actor, _today())
    open_gaps = [g for g in gm.Gap.objects.filter(network=network, resolved_at__isnull=True) if g.is_open]
    _show([contact], open_gaps, actor, _now(), skip_existing=True)
    for p in seen_directly:
        _record_seen(actor, network, p, date)
    return contact


def _record_seen(actor: User, network: rm.FamilyNetwork, person: rm.Person, on: date) -> None:
    """Keep the latest date the person was seen or spoken to directly (through
    the records service, so it is validated, audited and the gaps recomputed)."""
    row = rm.Person.objects.get(pk=person.pk)
    if row.seen_directly_on is not None and row.seen_directly_on >= on:
        return
    rs.person_update(
        actor=actor,
        network=network,
        person=row,
        data=dataclasses.replace(rs.PersonData.of(row), seen_directly_on=on),
        expected_version=row.version,
    )


@transaction.atomic
def contact_mark_seen(*, actor: User, contact: gm.Contact, person: rm.Person) -> None:
    """Record that a person was seen or spoken to directly at this contact."""
    _require_family_role(actor)
    contact = _lock_contact(contact, people=[person])
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to record who was seen")
    if not rm.NetworkMember.objects.filter(network_id=contact.network_id, person=person).exists():
        raise RecordError("Choose someone recorded in this family", field="seen_directly")
    contact.present.add(person)
    contact.seen_directly.add(person)
    audit_record(
        actor=actor,
        action="update",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"seen_directly": [None, person.pk]},
    )
    _record_seen(actor, contact.network, person, contact.date)


@transaction.atomic
def contact_confirm_household(
    *, actor: User, contact: gm.Contact, household: rm.Household, outcome: str = "no-change"
) -> gm.HouseholdConfirmation:
    """Record at a contact that who lives at a household was checked: "no change",
    or "changed" once the changes have been recorded."""
    contact = _lock_contact(contact)
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is closed: start a new contact to confirm the household")
    if outcome not in gm.HouseholdConfirmation.Outcome.values:
        raise RecordError("Choose whether anything has changed", field="outcome")
    member_ids = set(
        rm.NetworkMember.objects.filter(network=contact.network_id).values_list("person_id", flat=True)
    )
    if not rm.Residence.objects.filter(household=household, person_id__in=member_ids).exists():
        raise RecordError("Choose a household of this family", field="household")
    row, created = gm.HouseholdConfirmation.objects.update_or_create(
        contact=contact,
        household=household,
        defaults={"outcome": outcome, "by": actor, "at": _now()},
    )
    audit_record(
        actor=actor,
        action="create" if created else "update",
        object_type="household_confirmation",
        object_id=row.pk,
        network_id=contact.network_id,
        changes={
            "contact": [None, contact.pk],
            "household": [None, household.pk],
            "outcome": [None, outcome],
        },
    )
    _touch(contact.network, actor)
    return row


@transaction.atomic
def contact_close(*, actor: User, contact: gm.Contact) -> gm.Contact:
    """Close a contact. Refused until every gap shown has an outcome, so the
    record proves each gap was revisited."""
    _require_family_role(actor)
    contact = _lock_contact(contact)
    if contact.status != gm.Contact.Status.OPEN:
        raise RecordError("This contact is already closed")
    pending = list(
        contact.outcomes.filter(outcome=Outcome.PENDING)
        .select_related("gap")
        .order_by("gap__open_since", "gap__opened_at", "pk")
    )
    if pending:
        problems = [
            Problem("contact", contact.pk, "__all__", f"Record what happened about: {r.gap.detail}")
            for r in pending
        ]
        head = Problem(
            "contact",
            contact.pk,
            "__all__",
            f"Record an outcome for every gap shown before closing the contact ({len(pending)} to do)",
        )
        raise RecordError([head, *problems])
    contact.status = gm.Contact.Status.CLOSED
    contact.closed_at = _now()
    contact.version += 1
    contact.save()
    audit_record(
        actor=actor,
        action="close",
        object_type="contact",
        object_id=contact.pk,
        network_id=contact.network_id,
        changes={"status": ["open", "closed"]},
    )
    # how often each gap has been asked about is a process input of the rules
    _touch(contact.network, actor)
    return contact
