"""A family network's life: closed when the work with the family ends, reopened
when it starts again.

A closed network is kept, whole and readable, but is off every worklist and
read-only: every change to it is refused with :class:`NetworkClosed` (the
records services refuse it in ``_touch``, which every change to a family runs
in its transaction; the contact and supervision services check first with
:func:`require_open`), and the pages hide their edit actions. Closing and
reopening each need a reason and are written to the audit trail.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record

from . import models as m
from .access import FAMILY_ROLES, can_see_network
from .errors import RecordError, check_version, refuse_hidden_characters


class NetworkClosed(RecordError):
    """A change to a closed family network was refused. Nothing has been saved."""

    def __init__(self, network: m.FamilyNetwork | None = None) -> None:
        when = ""
        if network is not None and network.closed_at is not None:
            day = timezone.localdate(network.closed_at)
            when = f" on {day.day} {day:%B %Y}"
        super().__init__(
            f"This family network was closed{when}: it can be read but not changed. "
            "Reopen it, giving the reason, to record anything new."
        )


def closed_message(network: m.FamilyNetwork) -> str:
    """The words refusing a change to ``network`` (closed), for a page."""
    return NetworkClosed(network).messages[0]


def require_open(network_id: int) -> None:
    """Raise :class:`NetworkClosed` if the family network is closed (one query)."""
    row = m.FamilyNetwork.objects.filter(pk=network_id, closed_at__isnull=False).first()
    if row is not None:
        raise NetworkClosed(row)


def _lock(actor: User, network: m.FamilyNetwork, reason: str, *, closed: bool) -> tuple[m.FamilyNetwork, str]:
    """The network's row, locked, after checking the actor and the reason;
    refused unless the network is ``closed`` (True) or open (False) now."""
    if actor.role not in FAMILY_ROLES or not can_see_network(actor, network.pk):
        raise RecordError("Only a practitioner or supervisor working with this family can do this")
    reason = (reason or "").strip()
    if not reason:
        raise RecordError("Say why", field="reason")
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    row = m.FamilyNetwork.objects.select_for_update(no_key=True).get(pk=network.pk)
    if row.is_closed != closed:
        raise RecordError(
            "This family network is not closed" if closed else "This family network is already closed"
        )
    return row, reason


def _save(actor: User, row: m.FamilyNetwork, reason: str, *, closing: bool) -> None:
    row.closed_at, row.closed_by = (timezone.now(), actor) if closing else (None, None)
    row.closed_reason = reason if closing else ""
    row.save(update_fields=["closed_at", "closed_by", "closed_reason", "version", "updated_at"])
    from kinmap.gaps.team_counts import team_counts_touch  # the gaps app builds on this one

    team_counts_touch(network_ids=[row.pk])  # on or off its teams' worklists
    status = ["open", "closed"] if closing else ["closed", "open"]
    audit_record(
        actor=actor,
        action="close" if closing else "reopen",
        object_type="network",
        object_id=row.pk,
        network_id=row.pk,
        changes={"status": status},
        reason=reason,
    )


@transaction.atomic
def network_close(
    *, actor: User, network: m.FamilyNetwork, reason: str, expected_version: int | None
) -> m.FamilyNetwork:
    """Close a family network: kept and readable, off worklists, read-only.

    ``expected_version`` is the network's version the confirmation page showed.
    Refused (:class:`RecordError`) without a reason, while a contact with the
    family is still open, or when it is already closed."""
    from kinmap.gaps.models import Contact

    row, reason = _lock(actor, network, reason, closed=False)
    check_version(row.version, expected_version, "family network")
    if Contact.objects.filter(network=row, status=Contact.Status.OPEN).exists():
        raise RecordError("A contact with this family is still open: close it first")
    row.version += 1
    _save(actor, row, reason, closing=True)
    return row


@transaction.atomic
def network_reopen(
    *, actor: User, network: m.FamilyNetwork, reason: str, expected_version: int | None
) -> m.FamilyNetwork:
    """Reopen a closed family network: back on worklists and open to changes.
    Its gaps are recomputed (they were left as they were when it closed)."""
    from .services.common import _touch

    row, reason = _lock(actor, network, reason, closed=True)
    check_version(row.version, expected_version, "family network")
    _save(actor, row, reason, closing=False)
    _touch(row, actor)  # bumps the version and recomputes the gaps
    return row


def network_began(network: m.FamilyNetwork) -> date:
    """The day the work with the family began: the earlier of the day the
    network was created and the start of its first allocation to a team (a
    family loaded from another system keeps its allocations' dates). Nothing
    that happened with the family (a contact, an answer, information given)
    is recorded before it. One query."""
    created = timezone.localdate(network.created_at)
    first = m.Allocation.objects.filter(network=network).aggregate(first=Min("start"))["first"]
    return min(created, first) if first is not None else created


def occurred_on_problem(day: date, *, began: date, what: str) -> str:
    """Why ``day``, the day something happened with the family (``what``: "The
    date of the contact"), cannot be recorded: in the future, or before the
    network began (``began``); ``""`` when it can."""
    today = timezone.localdate()
    if day > today:
        return f"{what} must be today or in the past"
    if day < began:
        return f"{what} must be on or after {began:%-d %B %Y}, when the work with this family began"
    return ""
