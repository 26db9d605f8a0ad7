"""Actions agreed at supervision: who will do what, by when, and who did it.

An action belongs to a supervisor's decision about one family. Its owner is a
user who may see the family (``kinmap.records.access.can_see_network``); they
are told on their Notifications page and see the action on their worklist, on
the family page and at their next contact. An action not done by its due day
is overdue, flagged to its owner (worklist, family page) and to the
supervisors of the family (the supervision pages). Completing it records who
and when. Like every service, each runs in one transaction and is audited.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Role, User
from kinmap.audit.services import audit_record
from kinmap.core.text import text_error
from kinmap.records.access import FAMILY_ROLES, can_see_network
from kinmap.records.errors import RecordError, check_version
from kinmap.sharing.services import notify

from . import models as gm
from .services import ActionData
from .services.common import _begin_write, _require_supervisor

DESCRIPTION_MAX = 2000


def _day(d: object) -> str:
    return f"{d.day} {d:%B %Y}"  # type: ignore[attr-defined]


def _family_url(network_id: int) -> str:
    return reverse("family", args=[network_id]) + "#supervision-actions"


def supervisor_action_create(
    *, actor: User, decision: gm.SupervisorDecision, data: ActionData
) -> gm.SupervisorAction:
    """Add an action to a supervisor's decision and tell its owner.

    ``data.owner`` must be an active practitioner or supervisor who may see the
    family; ``data.due`` today or later. Raises :class:`RecordError` naming the
    field (``description``, ``owner``, ``due``); refused for a closed family."""
    with transaction.atomic():
        _require_supervisor(actor, "agree actions at supervision")
        description = (data.description or "").strip()
        if not description:
            raise RecordError("Say what will be done", field="description")
        problem = text_error(description, what="What will be done", multiline=True)
        if len(description) > DESCRIPTION_MAX:
            problem = f"What will be done must be {DESCRIPTION_MAX} characters or fewer"
        if problem:
            raise RecordError(problem, field="description")
        owner = data.owner
        if (
            owner is None
            or not owner.is_active
            or owner.role not in FAMILY_ROLES
            or not can_see_network(owner, decision.network_id)
        ):
            raise RecordError("Choose someone who works with this family", field="owner")
        if data.due is None:
            raise RecordError("Enter the date it is due by", field="due")
        if data.due < timezone.localdate():
            raise RecordError("The date it is due by must be today or in the future", field="due")
        _begin_write(decision.network_id)
        row = gm.SupervisorAction.objects.create(
            decision=decision,
            network_id=decision.network_id,
            owner=owner,
            description=description,
            due=data.due,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="supervisor_action",
            object_id=row.pk,
            network_id=decision.network_id,
            changes={
                "decision": [None, decision.pk],
                "owner": [None, owner.username],
                "due": [None, data.due.isoformat()],
                "description": [None, description],
            },
        )
        if owner.pk != actor.pk:
            notify(
                recipient=owner,
                text=f"{decision.network.name}: an action for you from supervision, due by "
                f"{_day(data.due)}: {description}",
                url=_family_url(decision.network_id),
            )
        return row


def can_complete(user: User, action: gm.SupervisorAction) -> bool:
    """Its owner, or a supervisor (either must be able to see the family)."""
    return (user.pk == action.owner_id or user.role == Role.SUPERVISOR) and action.completed_at is None


@transaction.atomic
def supervisor_action_complete(
    *, actor: User, action: gm.SupervisorAction, note: str = "", expected_version: int | None
) -> gm.SupervisorAction:
    """Record that an action is done, by whom and when, with an optional note.
    The supervisor who agreed it is told. Only its owner or a supervisor who
    may see the family; refused once done, for a stale page, or a closed family."""
    if not can_see_network(actor, action.network_id) or not (
        actor.pk == action.owner_id or actor.role == Role.SUPERVISOR
    ):
        raise RecordError("Only the person it is for, or a supervisor, can record this action as done")
    note = (note or "").strip()
    problem = text_error(note, what="The note", multiline=True)
    if len(note) > DESCRIPTION_MAX:
        problem = f"The note must be {DESCRIPTION_MAX} characters or fewer"
    if problem:
        raise RecordError(problem, field="note")
    _begin_write(action.network_id)
    row = gm.SupervisorAction.objects.select_for_update().select_related("decision").get(pk=action.pk)
    check_version(row.version, expected_version, "action")
    if row.completed_at is not None:
        raise RecordError("This action has already been recorded as done")
    row.completed_by, row.completed_at, row.completion_note = actor, timezone.now(), note
    row.version += 1
    row.save()
    audit_record(
        actor=actor,
        action="complete",
        object_type="supervisor_action",
        object_id=row.pk,
        network_id=row.network_id,
        changes={"completed": [False, True], "note": [None, note]},
    )
    supervisor = row.decision.by
    if supervisor.pk != actor.pk:
        notify(
            recipient=supervisor,
            text=f"{row.decision.network.name}: done by {actor.display_name}: {row.description}",
            url=reverse("gaps-supervision", args=[row.network_id]),
        )
    return row
