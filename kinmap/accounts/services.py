"""What a partnership administrator does: users, teams, allocations of teams to
family networks, and who may see masked details. Every change is audited.

Allocations are records of the family network (``records.Allocation``), but
making them is an administrator's job, so the services live here. None of
these reads a family: an administrator works with network reference numbers
and team names only.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kinmap.audit.services import audit_record
from kinmap.core.text import NAME_MAX_LENGTH, name_error, normalise_text, text_error
from kinmap.gaps.team_counts import team_counts_touch
from kinmap.records import advisory
from kinmap.records import models as rm
from kinmap.records.advisory import advisory_xact_lock
from kinmap.records.errors import RecordError, StaleEdit, refuse_hidden_characters

from .models import Agency, MaskedDetailEntitlement, Role, Team, User


def _admin_check(actor: User) -> None:
    if actor.role != Role.ADMINISTRATOR or not actor.is_active:
        raise RecordError("Only a partnership administrator can do this")


def _name(value: str, field: str, what: str, max_length: int | None) -> str:
    """A person's or an organisation's name as stored (``kinmap.core.text``), or
    RecordError naming ``field``."""
    value = normalise_text(value)
    if err := name_error(value, what=what, max_length=max_length or NAME_MAX_LENGTH):
        raise RecordError(err, field=field)
    return value


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    team: Team | None,
    role: str,
    password: str,
) -> User:
    _admin_check(actor)
    username = username.strip().lower()
    if not username:
        raise RecordError("Enter a user name", field="username")
    if hidden := text_error(username, what="User name"):
        raise RecordError(hidden, field="username")
    first_name = _name(first_name, "first_name", "given name", User._meta.get_field("first_name").max_length)
    last_name = _name(last_name, "last_name", "family name", User._meta.get_field("last_name").max_length)
    if User.objects.filter(username__iexact=username).exists():
        raise RecordError("A user with that user name already exists", field="username")
    if role not in Role.values:
        raise RecordError("Choose a role", field="role")
    if team is None:
        raise RecordError("Choose the team they work in", field="team")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email.strip(),
        job_title=job_title.strip(),
        team=team,
        role=role,
    )
    try:
        validate_password(password, user)
    except ValidationError as err:
        raise RecordError(" ".join(err.messages), field="password1") from None
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.pk,
        changes={
            "username": [None, user.username],
            "team": [None, str(team)],
            "role": [None, role],
        },
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str = "") -> User:
    _admin_check(actor)
    if user.pk == actor.pk:
        raise RecordError("You cannot deactivate your own account")
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    row = User.objects.select_for_update().get(pk=user.pk)
    if not row.is_active:
        return row
    row.is_active = False
    row.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="deactivate",
        object_type="user",
        object_id=row.pk,
        changes={"is_active": [True, False]},
        reason=reason.strip(),
    )
    return row


@transaction.atomic
def agency_create(*, actor: User, name: str, kind: str) -> Agency:
    _admin_check(actor)
    name = normalise_text(name)
    if not name:
        raise RecordError("Enter the name of the agency", field="agency_name")
    name = _name(name, "agency_name", "agency name", Agency._meta.get_field("name").max_length)
    if kind not in Agency.Kind.values:
        raise RecordError("Choose the kind of agency", field="kind")
    if Agency.objects.filter(name__iexact=name).exists():
        raise RecordError("An agency with that name already exists", field="agency_name")
    agency = Agency.objects.create(name=name, kind=kind)
    audit_record(
        actor=actor,
        action="create",
        object_type="agency",
        object_id=agency.pk,
        changes={"name": [None, name], "kind": [None, kind]},
    )
    return agency


@transaction.atomic
def agency_safeguarding_lead_set(
    *, actor: User, agency: Agency, lead: User | None, expected: int | None, reason: str = ""
) -> Agency:
    """Name (or, with ``lead=None``, clear) the agency's designated safeguarding
    lead: an active member of one of the agency's teams. Audited with the old
    and new user names.

    The agency row has no version of its own: ``expected`` is the user id of
    the lead the administrator's page showed (0 for none), and the change is
    refused (:class:`StaleEdit`) when that is not the lead saved now, or was not
    sent (``None``), so that one administrator does not silently replace the
    lead another has just named."""
    _admin_check(actor)
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    row = Agency.objects.select_for_update().get(pk=agency.pk)
    if expected is None or expected != (row.designated_safeguarding_lead_id or 0):
        raise StaleEdit("designated safeguarding lead")
    if lead is not None and (not lead.is_active or lead.team is None or lead.team.agency_id != row.pk):
        raise RecordError(
            f"Choose someone who works in {row.name} and can sign in", field="designated_safeguarding_lead"
        )
    current = row.designated_safeguarding_lead
    old = current.username if current else None
    new = lead.username if lead else None
    if old == new:
        return row
    row.designated_safeguarding_lead = lead
    row.save(update_fields=["designated_safeguarding_lead"])
    audit_record(
        actor=actor,
        action="update",
        object_type="agency",
        object_id=row.pk,
        changes={"designated_safeguarding_lead": [old, new]},
        reason=reason.strip(),
    )
    return row


@transaction.atomic
def team_create(*, actor: User, agency: Agency | None, name: str) -> Team:
    _admin_check(actor)
    name = normalise_text(name)
    if agency is None:
        raise RecordError("Choose the agency", field="agency")
    if not name:
        raise RecordError("Enter the name of the team", field="name")
    name = _name(name, "name", "team name", Team._meta.get_field("name").max_length)
    if Team.objects.filter(agency=agency, name__iexact=name).exists():
        raise RecordError("This agency already has a team with that name", field="name")
    team = Team.objects.create(agency=agency, name=name)
    audit_record(
        actor=actor,
        action="create",
        object_type="team",
        object_id=team.pk,
        changes={"agency": [None, agency.name], "name": [None, name]},
    )
    return team


def _current(a: rm.Allocation, today: date) -> bool:
    return a.start <= today and (a.end is None or a.end > today)


@transaction.atomic
def allocation_add(*, actor: User, network: rm.FamilyNetwork, team: Team | None) -> rm.Allocation:
    """Allocate a team to a family network from today (re-opening an ended
    allocation of the same team)."""
    _admin_check(actor)
    if team is None:
        raise RecordError("Choose the team to allocate", field="team")
    today = timezone.localdate()
    # two allocations at once: the second waits, then finds the first's row
    advisory_xact_lock(advisory.ALLOCATION, network.pk)
    row = rm.Allocation.objects.select_for_update().filter(network=network, team=team).first()
    if row is not None and _current(row, today):
        raise RecordError("This team is already allocated to this family", field="team")
    old = {"start": row.start, "end": row.end} if row else {}
    if row is None:
        row = rm.Allocation.objects.create(network=network, team=team, start=today)
    else:
        row.start, row.end = today, None
        row.save(update_fields=["start", "end"])
    team_counts_touch(team_ids=[team.pk])
    audit_record(
        actor=actor,
        action="allocate",
        object_type="allocation",
        object_id=row.pk,
        network_id=network.pk,
        changes={
            "team": [None, str(team)],
            "start": [old.get("start"), row.start],
            "end": [old.get("end"), None],
        },
    )
    return row


@transaction.atomic
def allocation_end(*, actor: User, allocation: rm.Allocation, reason: str = "") -> rm.Allocation:
    """End a team's allocation today (kept, with its dates, for the record)."""
    _admin_check(actor)
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    row = rm.Allocation.objects.select_for_update().select_related("team").get(pk=allocation.pk)
    today = timezone.localdate()
    if not _current(row, today):
        raise RecordError("This allocation has already ended")
    old_end = row.end
    row.end = max(today, row.start)
    row.save(update_fields=["end"])
    team_counts_touch(team_ids=[row.team_id])
    audit_record(
        actor=actor,
        action="deallocate",
        object_type="allocation",
        object_id=row.pk,
        network_id=row.network_id,
        changes={"team": [str(row.team), str(row.team)], "end": [old_end, row.end]},
        reason=reason.strip(),
    )
    return row


@transaction.atomic
def entitlements_set(
    *, actor: User, cells: set[tuple[int, str]], expected: set[tuple[int, str]] | None
) -> None:
    """Make exactly these (agency id, role) pairs entitled to see masked details.

    The table has no version of its own: ``expected`` is the set of pairs the
    administrator's page showed, and the change is refused (:class:`StaleEdit`)
    when it is not what is saved now, or was not sent (``None``)."""
    _admin_check(actor)
    current = set(MaskedDetailEntitlement.objects.select_for_update().values_list("agency_id", "role"))
    if expected is None or expected != current:
        raise StaleEdit("table of who may see masked details")
    names = dict(Agency.objects.values_list("pk", "name"))
    for agency_id, role in sorted(cells - current):
        if agency_id not in names or role not in Role.values:
            raise RecordError("Choose agencies and roles from the table")
        MaskedDetailEntitlement.objects.create(agency_id=agency_id, role=role)
        audit_record(
            actor=actor,
            action="grant",
            object_type="masked_entitlement",
            object_id=f"{agency_id}:{role}",
            changes={"agency": [None, names[agency_id]], "role": [None, role]},
        )
    for agency_id, role in sorted(current - cells):
        MaskedDetailEntitlement.objects.filter(agency_id=agency_id, role=role).delete()
        audit_record(
            actor=actor,
            action="revoke",
            object_type="masked_entitlement",
            object_id=f"{agency_id}:{role}",
            changes={"agency": [names.get(agency_id), None], "role": [role, None]},
        )


UNKNOWN_USER_NAME = "(not a user name)"


def sign_in_refusal_record(*, username: str, client: str, locked_out: bool) -> None:
    """Write a refused sign-in to the audit trail: ``sign-in-failed`` for a wrong
    user name or password, ``sign-in-locked-out`` for the failure that started a
    lock or an attempt refused while one holds. The object is the account's
    user name when ``username`` (as typed, any case) names one, else
    ``UNKNOWN_USER_NAME``: what was typed is not kept, as it may be a password
    typed in the wrong box. ``client`` is the client address the throttle
    counts (``kinmap.accounts.signin.client_address``). There is no actor:
    nobody has signed in."""
    user = User.objects.filter(username__iexact=username.strip()).only("pk", "username").first()
    audit_record(
        actor=None,
        action="sign-in-locked-out" if locked_out else "sign-in-failed",
        object_type="sign-in",
        object_id=user.username if user else UNKNOWN_USER_NAME,
        changes={"client": [None, client], "user_id": [None, user.pk if user else None]},
        reason="too many failed attempts to sign in" if locked_out else "wrong user name or password",
    )
