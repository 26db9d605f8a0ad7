"""What every change to gaps and contacts shares: the clock (:func:`_now`,
:func:`_today`), the checks of the actor's role, and the locks a change takes,
in the order every change to a family takes them (:func:`_begin_change`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.records import models as rm
from kinmap.records.access import FAMILY_ROLES
from kinmap.records.errors import RecordError, check_version
from kinmap.records.lifecycle import require_open

from .. import models as gm


def _now() -> datetime:
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


def _require_family_role(actor: User) -> None:
    if actor.role not in FAMILY_ROLES:
        raise RecordError("Your role does not work with families' records")


def _require_supervisor(actor: User, what: str) -> None:
    if actor.role != Role.SUPERVISOR:
        raise RecordError(f"Only a supervisor can {what}")


def _begin_change(network_id: int, *, people: Iterable[rm.Person] = ()) -> None:
    """Take a change's locks in the order every change to a family takes them,
    so that two changes never wait on each other: first the records it will
    edit through the records services (people), then the family's network row
    (as ``records.services.common._touch`` does), then gaps and contacts. (Writing
    the audit event takes no lock: docs/access-and-audit.md.)"""
    ids = [p.pk for p in people]
    if ids:
        people_rows = rm.Person.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(people_rows.values_list("pk"))
    list(
        rm.FamilyNetwork.objects.select_for_update(no_key=True)
        .filter(pk=network_id)
        .values_list("pk", flat=True)
    )


def _begin_write(network_id: int, *, people: Iterable[rm.Person] = ()) -> None:
    """:func:`_begin_change` for a change a person makes to one family: refused
    (``NetworkClosed``) when the family network is closed."""
    _begin_change(network_id, people=people)
    require_open(network_id)


def _lock_gap(gap: gm.Gap, expected_version: int | None) -> gm.Gap:
    _begin_write(gap.network_id)
    row = gm.Gap.objects.select_for_update().get(pk=gap.pk)
    check_version(row.version, expected_version, "gap")
    return row


def _lock_contact(contact: gm.Contact, *, people: Iterable[rm.Person] = ()) -> gm.Contact:
    _begin_write(contact.network_id, people=people)
    return gm.Contact.objects.select_for_update().get(pk=contact.pk)
