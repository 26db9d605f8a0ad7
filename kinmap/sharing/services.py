"""Break-glass access, notifications, information requests and sharing decisions.

Services take keyword-only arguments, run in one transaction, refuse bad input
with a RecordError naming the field (nothing saved), and write audit events.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Agency, Role, User
from kinmap.audit.services import audit_record
from kinmap.core.workdays import add_working_days
from kinmap.records import models as rm
from kinmap.records.access import FAMILY_ROLES, visible_network_ids
from kinmap.records.errors import RecordError, check_version, refuse_hidden_characters
from kinmap.records.services.common import _touch

from . import facts
from .models import (
    WORKING_DAYS_TO_ANSWER,
    BreakGlassAccess,
    InformationRequest,
    LawfulBasis,
    Notification,
    SharingDecision,
    Urgency,
)


def _agency_name(user: User) -> str:
    agency = user.agency
    return agency.name if agency else ""


def notify(*, recipient: User, text: str, url: str = "") -> Notification:
    """Put a message on a user's Notifications page. Never put a masked value
    in ``text``."""
    return Notification.objects.create(recipient=recipient, text=text[:500], url=url)


# -- break-glass ----------------------------------------------------------


class Overseer(StrEnum):
    """Who is told of a grant of emergency access, in the order tried."""

    SUPERVISOR = "supervisor"
    SAFEGUARDING_LEAD = "designated-safeguarding-lead"
    ADMINISTRATOR = "administrator"


def break_glass_overseers(actor: User) -> tuple[Overseer, list[User]]:
    """Who must be told when ``actor`` uses emergency access: the active
    supervisors of their team; else their agency's designated safeguarding lead;
    else the partnership administrators. Never the actor themself. Returns the
    kind of overseer and the users (empty only when nobody at all can be told)."""
    others = User.objects.filter(is_active=True).exclude(pk=actor.pk).order_by("pk")
    if actor.team_id is not None:
        supervisors = list(others.filter(team_id=actor.team_id, role=Role.SUPERVISOR))
        if supervisors:
            return Overseer.SUPERVISOR, supervisors
    team = actor.team
    return _lead_else_administrators(others, team.agency_id if team else None)


def _lead_else_administrators(
    candidates: QuerySet[User], agency_id: int | None
) -> tuple[Overseer, list[User]]:
    """Among ``candidates``, the agency's designated safeguarding lead, else the
    partnership administrators: who is told when nobody closer can act."""
    if agency_id is not None:
        lead = list(candidates.filter(safeguarding_lead_for__pk=agency_id))
        if lead:
            return Overseer.SAFEGUARDING_LEAD, lead
    return Overseer.ADMINISTRATOR, list(candidates.filter(role=Role.ADMINISTRATOR))


def break_glass_open(*, actor: User, network_id: int, reason: str, hours: int | None) -> BreakGlassAccess:
    """Give the actor time-limited access to a family network their team is not
    allocated to. Audited with the reason; someone who can act on it is told
    (:func:`break_glass_overseers`), and with nobody to tell it is refused."""
    reason = reason.strip()
    if actor.role not in FAMILY_ROLES or not actor.team_id:
        raise RecordError("Only practitioners and supervisors in a team can use emergency access")
    if not reason:
        raise RecordError("Say why you need to see this family now", field="reason")
    if len(reason) < 10:
        raise RecordError(
            "Give the reason in a sentence, so that a reviewer can understand it", field="reason"
        )
    refuse_hidden_characters(reason, "reason", "The reason", multiline=True)
    hours = BreakGlassAccess.DEFAULT_HOURS if hours is None else hours
    if not 1 <= hours <= BreakGlassAccess.MAX_HOURS:
        raise RecordError(
            f"Emergency access lasts between 1 and {BreakGlassAccess.MAX_HOURS} hours", field="hours"
        )
    network = rm.FamilyNetwork.objects.filter(pk=network_id).first()
    refusal = "" if network is not None else "There is no family network with this reference"
    if network is not None and not break_glass_overseers(actor)[1]:
        refusal = (
            "Emergency access cannot be given: there is no supervisor, designated safeguarding lead "
            "or partnership administrator to tell. Ask your partnership administrator"
        )
    if network is None or refusal:
        audit_record(
            actor=actor,
            action="break-glass-refused",
            object_type="network",
            object_id=network_id,
            changes={"refused": [None, refusal]},
            reason=reason,
        )
        # audited outside any transaction the refusal would roll back
        raise RecordError(refusal, field="network" if network is None else "__all__")
    return _break_glass_grant(actor, network, reason, hours)


@transaction.atomic
def _break_glass_grant(actor: User, network: rm.FamilyNetwork, reason: str, hours: int) -> BreakGlassAccess:
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        user=actor, network=network, reason=reason, starts_at=now, ends_at=now + timedelta(hours=hours)
    )
    audit_record(
        actor=actor,
        action="break-glass",
        object_type="network",
        object_id=network.pk,
        network_id=network.pk,
        changes={"until": [None, grant.ends_at.isoformat()], "hours": [None, hours]},
        reason=reason,
    )
    kind, overseers = break_glass_overseers(actor)
    team = actor.team.name if actor.team else "their team"
    agency = _agency_name(actor)
    told_as = {
        Overseer.SUPERVISOR: "",
        Overseer.SAFEGUARDING_LEAD: (
            f"You are told as the designated safeguarding lead for {agency}: {team} has no supervisor. "
        ),
        Overseer.ADMINISTRATOR: (
            f"You are told as a partnership administrator: {team} has no supervisor and "
            f"{agency or 'their agency'} has no designated safeguarding lead. "
        ),
    }[kind]
    for overseer in overseers:
        notify(
            recipient=overseer,
            text=(
                f"{told_as}{actor.display_name} used emergency access to family network {network.pk} for "
                f"{hours} hour{'s' if hours != 1 else ''}. Reason given: {reason}"
            ),
        )
    return grant


def break_glass_active(user: User) -> QuerySet[BreakGlassAccess]:
    now = timezone.now()
    return BreakGlassAccess.objects.filter(user=user, starts_at__lte=now, ends_at__gt=now).order_by("ends_at")


# -- information requests ---------------------------------------------------


def due_date(urgency: str, on: date) -> date:
    return add_working_days(on, WORKING_DAYS_TO_ANSWER[Urgency(urgency)])


NOT_FROM_THIS_GAP = "This request is not about an open gap of this person: ask again from the family's gaps"


def gap_raised_from(*, network: rm.FamilyNetwork, person: rm.Person, gap_key: str, what: str) -> str:
    """The key of the gap a request about ``person`` in ``network`` asking for
    ``what`` is raised from: ``gap_key`` stripped ("" for none) when it names an
    open gap of the network about that person (themselves, or as the carer of
    a care arrangement: ``kinmap.gaps.answers.subject_person``) that is missing
    what is asked (``kinmap.gaps.answers.ASK_FOR``, the links the gap offers).
    Else RecordError (``__all__``). The page carries the key in a hidden field,
    and requirement 14 counts a gap named by a request as "a request to another
    agency considered" (``kinmap.gaps.services``): a key is never taken on trust.
    One to two queries."""
    key = gap_key.strip()
    if not key:
        return ""
    from kinmap.gaps import models as gm
    from kinmap.gaps.answers import ASK_FOR, subject_person

    gap = gm.Gap.objects.filter(network=network, key=key).first()
    carers: dict[int, int] = {}
    if gap is not None and gap.subject_kind == "care" and gap.subject_id.isdigit():
        care = rm.CareArrangement.objects.filter(pk=int(gap.subject_id)).values_list("pk", "carer_id")
        carers = dict(care)
    if (
        gap is None
        or not gap.is_open
        or subject_person(gap, carers) != person.pk
        or what not in {ASK_FOR[k] for k in gap.missing if k in ASK_FOR}
    ):
        raise RecordError(NOT_FROM_THIS_GAP)
    return key


@transaction.atomic
def information_request_create(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    person: rm.Person,
    what: str,
    to_agency: Agency | None,
    lawful_basis: str,
    purpose: str,
    urgency: str,
    gap_key: str = "",
    matched_person: rm.Person | None = None,
) -> InformationRequest:
    """Ask a partner agency for one missing fact about a person in the network.

    Asked from a search, ``matched_person`` is the person the search found in
    a network the asker may not see: the agency asked must hold them
    (:func:`agencies_holding`; else RecordError on ``to_agency``), and only
    its information officers are shown who they are. Raised from a gap,
    ``gap_key`` names it (:func:`gap_raised_from`, else RecordError)."""
    if actor.team_id is None or actor.role not in FAMILY_ROLES:
        raise RecordError("Only practitioners and supervisors in a team can ask another agency")
    if not facts.is_requestable(what):
        raise RecordError("Choose what you are asking for", field="what")
    if to_agency is None:
        raise RecordError("Choose the agency to ask", field="to_agency")
    if actor.agency is not None and to_agency.pk == actor.agency.pk:
        raise RecordError("Choose another agency: this is your own", field="to_agency")
    if lawful_basis not in LawfulBasis.values:
        raise RecordError("Choose the lawful basis for asking", field="lawful_basis")
    purpose = purpose.strip()
    if not purpose:
        raise RecordError("Say why you need this information", field="purpose")
    refuse_hidden_characters(purpose, "purpose", "Why you need it", multiline=True)
    if urgency not in Urgency.values:
        raise RecordError("Choose how urgent this is", field="urgency")
    if not rm.NetworkMember.objects.filter(network=network, person=person).exists():
        raise RecordError("This person is not in the family network", field="person")
    gap_key = gap_raised_from(network=network, person=person, gap_key=gap_key, what=what)
    if matched_person is not None and to_agency.pk not in {
        a.pk for a in agencies_holding(person_id=matched_person.pk, hidden_from=actor)
    }:
        raise RecordError("Choose an agency that holds the person your search found", field="to_agency")
    today = timezone.localdate()
    req = InformationRequest.objects.create(
        network=network,
        person=person,
        matched_person=matched_person,
        what=what,
        gap_key=gap_key,
        requested_by=actor,
        requested_by_team_id=actor.team_id,
        to_agency=to_agency,
        lawful_basis=lawful_basis,
        purpose=purpose,
        urgency=urgency,
        requested_at=timezone.now(),
        due_on=due_date(urgency, today),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="information_request",
        object_id=req.pk,
        network_id=network.pk,
        changes={
            "person": [None, person.pk],
            "what": [None, what],
            "to_agency": [None, to_agency.name],
            "lawful_basis": [None, lawful_basis],
            "purpose": [None, purpose],
            "urgency": [None, urgency],
            "due_on": [None, req.due_on],
            "gap_key": [None, req.gap_key],
            **({"matched_person": [None, matched_person.pk]} if matched_person else {}),
        },
    )
    _touch(network, actor)  # a request raised from a gap is read by the gaps engine
    url = reverse("request-detail", args=[req.pk])
    text = (
        f"New {req.urgency} information request from {_agency_name(actor)}, "
        f"due {req.due_on.day} {req.due_on:%B %Y}"
    )
    active = User.objects.filter(is_active=True).order_by("pk")
    officers = list(active.filter(team__agency=to_agency, role=Role.INFORMATION_OFFICER))
    if officers:
        for officer in officers:
            notify(recipient=officer, text=text, url=url)
    else:
        # nobody can answer it: tell someone who can have an information officer named
        _, told = _lead_else_administrators(active, to_agency.pk)
        for overseer in told:
            notify(
                recipient=overseer,
                text=f"{to_agency.name} has no information officer to answer it: {text[0].lower()}{text[1:]}",
            )
    return req


def agencies_holding(*, person_id: int, hidden_from: User) -> list[Agency]:
    """The agencies (by name, the user's own left out) currently allocated a
    family network that holds the person and that ``hidden_from`` may not see:
    whom a search's match in such a network can be asked about. Two queries
    (the user's visible networks, then the agencies)."""
    visible = visible_network_ids(hidden_from)
    today = timezone.localdate()
    own = hidden_from.agency.pk if hidden_from.agency else 0
    held = (
        rm.Allocation.objects.filter(network__members__person_id=person_id, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .exclude(network_id__in=visible)
        .exclude(team__agency_id=own)
        .values("team__agency_id")
    )
    return list(Agency.objects.filter(pk__in=held).order_by("name"))


def _lock_request(req: InformationRequest, expected_version: int | None) -> InformationRequest:
    row = InformationRequest.objects.select_for_update().get(pk=req.pk)
    check_version(row.version, expected_version, "request")
    if row.status != InformationRequest.Status.OPEN:
        raise RecordError("This request has already been answered or declined")
    return row


def _check_family_told(family_told: bool | None, not_told_reason: str) -> None:
    if family_told is None:
        raise RecordError("Say whether the family has been or will be told", field="family_told")
    if not family_told and not not_told_reason.strip():
        raise RecordError("Say why the family has not been told", field="family_not_told_reason")
    refuse_hidden_characters(
        not_told_reason, "family_not_told_reason", "Why the family has not been told", multiline=True
    )


def _officer_check(actor: User, req: InformationRequest) -> None:
    agency = actor.agency
    if actor.role != Role.INFORMATION_OFFICER or agency is None or agency.pk != req.to_agency_id:
        raise RecordError("Only an information officer of the agency asked can answer this request")


@transaction.atomic
def information_request_answer(
    *,
    actor: User,
    request: InformationRequest,
    answer: facts.Answer,
    rationale: str,
    family_told: bool | None,
    family_not_told_reason: str = "",
    expected_version: int | None,
) -> InformationRequest:
    """Answer with the fact: it is recorded through the records services with
    provenance "supplied by <agency>", the decision to share is logged, and the
    requester is told."""
    _officer_check(actor, request)
    row = _lock_request(request, expected_version)
    if not rationale.strip():
        raise RecordError("Say why sharing this is justified", field="rationale")
    refuse_hidden_characters(rationale, "rationale", "Why sharing this is justified", multiline=True)
    _check_family_told(family_told, family_not_told_reason)
    agency_name = _agency_name(actor)
    person = rm.Person.objects.get(pk=row.person_id)
    network = rm.FamilyNetwork.objects.get(pk=row.network_id)
    outcome = facts.record_answer(
        actor=actor, network=network, person=person, what=row.what, answer=answer, agency_name=agency_name
    )
    now = timezone.now()
    row.status = InformationRequest.Status.ANSWERED
    row.answered_by = actor
    row.answered_at = now
    row.outcome = outcome
    row.version += 1
    row.save()
    audit_record(
        actor=actor,
        action="answer",
        object_type="information_request",
        object_id=row.pk,
        network_id=network.pk,
        changes={"status": ["open", "answered"], "outcome": [None, outcome]},
        reason=rationale.strip(),
    )
    sharing_decision_record(
        actor=actor,
        network=network,
        person=person,
        request=row,
        decision=SharingDecision.Decision.SHARE,
        what=f"{facts.what_label(row.what)} of {person}",
        with_whom=row.requested_by_team.agency.name,
        lawful_basis=row.lawful_basis,
        rationale=rationale,
        family_told=family_told,
        family_not_told_reason=family_not_told_reason,
    )
    notify(
        recipient=row.requested_by,
        text=f"{agency_name} answered your request about {person}: {outcome}",
        url=reverse("network-requests", args=[network.pk]),
    )
    return row


@transaction.atomic
def information_request_decline(
    *,
    actor: User,
    request: InformationRequest,
    reason: str,
    family_told: bool | None,
    family_not_told_reason: str = "",
    expected_version: int | None,
) -> InformationRequest:
    """Decline with a reason; the decision not to share is logged and the
    requester is told."""
    _officer_check(actor, request)
    row = _lock_request(request, expected_version)
    reason = reason.strip()
    if not reason:
        raise RecordError("Say why the information will not be shared", field="reason")
    refuse_hidden_characters(reason, "reason", "Why the information will not be shared", multiline=True)
    _check_family_told(family_told, family_not_told_reason)
    person = rm.Person.objects.get(pk=row.person_id)
    network = rm.FamilyNetwork.objects.get(pk=row.network_id)
    row.status = InformationRequest.Status.DECLINED
    row.answered_by = actor
    row.answered_at = timezone.now()
    row.outcome = "Declined"
    row.decline_reason = reason
    row.version += 1
    row.save()
    audit_record(
        actor=actor,
        action="decline",
        object_type="information_request",
        object_id=row.pk,
        network_id=network.pk,
        changes={"status": ["open", "declined"]},
        reason=reason,
    )
    sharing_decision_record(
        actor=actor,
        network=network,
        person=person,
        request=row,
        decision=SharingDecision.Decision.NOT_SHARE,
        what=f"{facts.what_label(row.what)} of {person}",
        with_whom=row.requested_by_team.agency.name,
        lawful_basis=row.lawful_basis,
        rationale=reason,
        family_told=family_told,
        family_not_told_reason=family_not_told_reason,
    )
    notify(
        recipient=row.requested_by,
        text=f"{_agency_name(actor)} declined your request about {person}. Reason: {reason}",
        url=reverse("network-requests", args=[network.pk]),
    )
    return row


def overdue_requests_for(user: User) -> QuerySet[InformationRequest]:
    """Open requests this user made that are past their due date."""
    return (
        overdue_requests(timezone.localdate()).filter(requested_by=user).select_related("to_agency", "person")
    )


def overdue_requests(day: date) -> QuerySet[InformationRequest]:
    """Open requests past their due date on ``day`` (due before it), anyone's."""
    return InformationRequest.objects.filter(status=InformationRequest.Status.OPEN, due_on__lt=day)


# -- sharing decisions ------------------------------------------------------


@transaction.atomic
def sharing_decision_record(
    *,
    actor: User,
    network: rm.FamilyNetwork,
    decision: str,
    what: str,
    with_whom: str,
    lawful_basis: str,
    rationale: str,
    family_told: bool | None,
    family_not_told_reason: str = "",
    person: rm.Person | None = None,
    request: InformationRequest | None = None,
) -> SharingDecision:
    """Log one decision to share or not to share."""
    if decision not in SharingDecision.Decision.values:
        raise RecordError("Choose whether the information was shared", field="decision")
    if not what.strip():
        raise RecordError("Say what information the decision is about", field="what")
    if not with_whom.strip():
        raise RecordError("Say who it was shared with, or who asked", field="with_whom")
    if lawful_basis not in LawfulBasis.values:
        raise RecordError("Choose the lawful basis", field="lawful_basis")
    if not rationale.strip():
        raise RecordError("Give the reason for the decision", field="rationale")
    refuse_hidden_characters(what, "what", "What information")
    refuse_hidden_characters(with_whom, "with_whom", "Who it was shared with")
    refuse_hidden_characters(rationale, "rationale", "The reason for the decision", multiline=True)
    _check_family_told(family_told, family_not_told_reason)
    assert family_told is not None
    row = SharingDecision.objects.create(
        network=network,
        person=person,
        request=request,
        decision=decision,
        what=what.strip()[:300],
        with_whom=with_whom.strip()[:200],
        decided_by=actor,
        decided_by_agency=_agency_name(actor),
        decided_at=timezone.now(),
        lawful_basis=lawful_basis,
        rationale=rationale.strip(),
        family_told=family_told,
        family_not_told_reason="" if family_told else family_not_told_reason.strip(),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="sharing_decision",
        object_id=row.pk,
        network_id=network.pk,
        changes={
            "decision": [None, decision],
            "what": [None, row.what],
            "with_whom": [None, row.with_whom],
            "lawful_basis": [None, lawful_basis],
            "family_told": [None, family_told],
        },
        reason=row.rationale,
    )
    _touch(network, actor)  # every sharing decision is checked by the gaps engine
    return row
