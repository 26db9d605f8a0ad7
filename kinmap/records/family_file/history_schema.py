"""The family's history in the family file (version 2, docs/family-file.md
"A family's history"): its gaps with every step of their history, its
contacts (who was there, what happened to each gap, the households checked),
supervisors' decisions with their actions, and decisions to share or not to
share. Declared as pydantic models in the style of :mod:`.schema`.

The incomplete states the pages refuse are accepted here on purpose (a
decline with no practitioner's view, a sharing decision with no lawful basis
or rationale): they can arrive from another system, and the information
requirements (13 and 16, ``kinmap.core.rules.process``) report them once
imported. What cannot be stored is refused: an unknown code, an impossible
order of times (a gap resolved before it was opened, a step earlier than the
one before it, a contact closed before it was opened).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, model_validator

from kinmap.core.rules.base import SubjectKind
from kinmap.core.rules.open_since import OpenSinceBasis
from kinmap.gaps import models as gm
from kinmap.sharing.models import InformationRequest, LawfulBasis, SharingDecision, Urgency

from .document import _show
from .schema import FamilyFileDocument, Record
from .values import (
    NULL,
    Day,
    Flag,
    Items,
    Member,
    Moment,
    OptionalRef,
    OrganisationText,
    Ref,
    RequiredDay,
    SourceCode,
    SourceDetailText,
    UsernameText,
    _code,
    _text,
    refuse,
)

TEXT_MAX = 4000  # a reason, a view or a decision in words
SHORT_MAX = 300  # a label: whom a gap is about, what was shared, with whom

SUBJECT_KINDS = tuple(k.value for k in SubjectKind)
EVENT_KINDS = tuple(gm.EventKind.values)
GAP_STATES = tuple(gm.GapState.values)
SEVERITIES = tuple(gm.Severity.values)
NA_STATUSES = tuple(x for x in gm.NotApplicable.values if x)
CONTACT_TYPES = tuple(gm.ContactType.values)
CONTACT_STATUSES = tuple(gm.Contact.Status.values)
OUTCOMES = tuple(x for x in gm.Outcome.values if x)
CHECK_OUTCOMES = tuple(gm.HouseholdConfirmation.Outcome.values)
DECISIONS = tuple(SharingDecision.Decision.values)
LAWFUL_BASES = tuple(LawfulBasis.values)
URGENCIES = tuple(Urgency.values)
REQUEST_STATUSES = tuple(InformationRequest.Status.values)

# A gap's subject: an id of the file ("p3", "h1", "n1", "g2", "s1"), a
# position in a list of the file ("relationships[4]") or a step of a gap
# ("g2.events[1]", for a decline).
_SUBJECT_REF = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}(\[\d{1,6}\])?|[A-Za-z0-9_.-]{1,40}\.events\[\d{1,6}\]"
)

Text = Annotated[str, BeforeValidator(_text(TEXT_MAX, required=False))]
RequiredText = Annotated[str, BeforeValidator(_text(TEXT_MAX, required=True))]
ShortText = Annotated[str, BeforeValidator(_text(SHORT_MAX, required=False))]
RequiredShortText = Annotated[str, BeforeValidator(_text(SHORT_MAX, required=True))]
RuleText = Annotated[str, BeforeValidator(_text(60, required=True))]
RequiredUsername = Annotated[str, BeforeValidator(_text(150, required=True))]


def _required_moment(value: Any) -> datetime:
    from .values import _moment

    moment = _moment(value)
    if moment is None:
        raise refuse("is missing")
    return moment


RequiredMoment = Annotated[datetime, BeforeValidator(_required_moment)]


def _count(value: Any) -> int:
    if value is None:
        return 0
    if type(value) is not int or value < 0:
        raise refuse(f"{_show(value)} is not a count (a whole number, 0 or more)")
    return value


Count = Annotated[int, BeforeValidator(_count)]


def _subject_ref(value: Any) -> str:
    if value is None:
        raise refuse("is missing")
    if not isinstance(value, str) or not _SUBJECT_REF.fullmatch(value):
        raise refuse(
            f'{_show(value)} is not a reference (an id like "p3", a place like "relationships[2]", '
            'or a step like "g2.events[1]")'
        )
    return value


def _missing_keys(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(x, str) and 0 < len(x) <= 80 for x in value):
        raise refuse(f"{_show(value)} is not a list of what is missing (short words)")
    return value


def _coded(choices: tuple[str, ...], default: str | None) -> Callable[[Any], str]:
    return _code(choices, default)


SubjectKindCode = Annotated[str, BeforeValidator(_coded(SUBJECT_KINDS, None))]
EventKindCode = Annotated[str, BeforeValidator(_coded(EVENT_KINDS, None))]
StateCode = Annotated[str, BeforeValidator(_coded(GAP_STATES, None))]
EventStateCode = Annotated[str, BeforeValidator(_coded(("", *GAP_STATES), ""))]
SeverityCode = Annotated[str, BeforeValidator(_coded(SEVERITIES, None))]
# how a gap's "open since" was found (kinmap.core.rules.open_since.OpenSinceBasis)
OpenSinceBasisCode = Annotated[
    str, BeforeValidator(_coded(tuple(b.value for b in OpenSinceBasis), OpenSinceBasis.NOT_KNOWN.value))
]
NaCode = Annotated[str, BeforeValidator(_coded(("", *NA_STATUSES), ""))]
ContactTypeCode = Annotated[str, BeforeValidator(_coded(CONTACT_TYPES, None))]
ContactStatusCode = Annotated[str, BeforeValidator(_coded(CONTACT_STATUSES, None))]
OutcomeCode = Annotated[str, BeforeValidator(_coded(("", *OUTCOMES), ""))]
CheckOutcomeCode = Annotated[str, BeforeValidator(_coded(CHECK_OUTCOMES, None))]
DecisionCode = Annotated[str, BeforeValidator(_coded(DECISIONS, None))]


# Empty or missing: no lawful basis recorded (requirement 16 reports it).
def _lawful_basis(value: Any) -> str:
    return "" if value is None or value == "" else _code(LAWFUL_BASES, None)(value)


LawfulBasisCode = Annotated[str, BeforeValidator(_lawful_basis)]
UrgencyCode = Annotated[str, BeforeValidator(_coded(URGENCIES, None))]
RequestStatusCode = Annotated[str, BeforeValidator(_coded(REQUEST_STATUSES, None))]
FactNameText = Annotated[str, BeforeValidator(_text(80, required=True))]
SubjectRef = Annotated[str, BeforeValidator(_subject_ref)]
MissingKeys = Annotated[list[str], BeforeValidator(_missing_keys)]


class GapStep(Record):
    """One step of a gap's history: raised (``opened``), shown at a contact,
    asked and answered (with the answer's state: a decline carries what was
    said, who declined and the practitioner's view), not asked this time,
    resolved (with where the fact came from), reopened, or not-applicable
    agreed or refused. Who (a user name) and when (``at``)."""

    what: ClassVar[str] = "step of a gap's history"
    kind: EventKindCode = NULL
    state: EventStateCode = NULL
    reason: Text = NULL
    practitioner_view: Text = NULL
    from_whom: ShortText = NULL
    declined_by: OptionalRef = NULL
    source: SourceCode = NULL
    source_detail: SourceDetailText = NULL
    contact: OptionalRef = NULL
    by: UsernameText = NULL
    at: RequiredMoment = NULL
    occurred_on: Day = NULL  # the day it happened (asked), when told after the event

    @model_validator(mode="after")
    def _answer_has_state(self) -> GapStep:
        if self.occurred_on is not None and self.occurred_on > self.at.date():
            raise refuse("is after the day the step was recorded (at)", "occurred_on")
        if self.kind == gm.EventKind.ANSWERED and not self.state:
            raise refuse('is missing: an "answered" step says what the answer was', "state")
        if self.declined_by and self.state != gm.GapState.ASKED_DECLINED:
            raise refuse('is only for a decline (state "asked-declined")', "declined_by")
        return self


class GapRecord(Record):
    """A gap: one information requirement unmet for one subject of one family
    network, with its whole history (``events``, oldest first)."""

    what: ClassVar[str] = "gap"
    id: Ref = NULL
    network: Ref = NULL
    rule: RuleText = NULL
    subject_kind: SubjectKindCode = NULL
    subject: SubjectRef = NULL
    child: OptionalRef = NULL
    subject_name: ShortText = NULL
    severity: SeverityCode = NULL
    state: StateCode = NULL
    detail: Text = NULL
    missing: MissingKeys = Field(default_factory=list)
    opened_at: RequiredMoment = NULL
    # the day the requirement first applied, and how that was found
    open_since: Day = NULL
    open_since_basis: OpenSinceBasisCode = NULL
    resolved_at: Moment = NULL
    times_prompted: Count = NULL
    times_declined: Count = NULL
    reopened: Count = NULL
    overnight_infant_until: Day = NULL
    not_applicable: NaCode = NULL
    not_applicable_reason: Text = NULL
    not_applicable_agreed_by: UsernameText = NULL
    not_applicable_agreed_at: Moment = NULL
    events: Items[GapStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_order(self) -> GapRecord:
        if (self.state == gm.GapState.RESOLVED) != (self.resolved_at is not None):
            raise refuse('is given exactly when the state is "resolved"', "resolved_at")
        if self.open_since is not None and self.open_since > self.opened_at.date():
            raise refuse("is after opened_at: a requirement applies before its gap is raised", "open_since")
        if self.resolved_at is not None and self.resolved_at < self.opened_at:
            raise refuse("is before opened_at: a gap cannot be resolved before it was raised", "resolved_at")
        if self.not_applicable_agreed_at is not None and self.not_applicable not in ("agreed", "refused"):
            raise refuse('is only for a not-applicable "agreed" or "refused"', "not_applicable_agreed_at")
        before: datetime | None = None
        for i, e in enumerate(self.events):
            if e.at < self.opened_at:
                raise refuse("is before the gap's opened_at", f"events[{i}].at")
            if before is not None and e.at < before:
                raise refuse("is before the step above it: give the steps oldest first", f"events[{i}].at")
            before = e.at
        return self


class HouseholdCheck(Record):
    """At a contact, who lives at a household was checked."""

    what: ClassVar[str] = "household check"
    household: Ref = NULL
    outcome: CheckOutcomeCode = NULL
    by: RequiredUsername = NULL
    at: RequiredMoment = NULL


class GapOutcome(Record):
    """A gap shown at a contact, and what happened to it there."""

    what: ClassVar[str] = "outcome of a gap at a contact"
    gap: Ref = NULL
    outcome: OutcomeCode = NULL
    state: EventStateCode = NULL
    reason: Text = NULL
    by: UsernameText = NULL
    at: Moment = NULL


class ContactRecord(Record):
    """A contact with the family (it may be recorded after the day it happened:
    ``date`` is the day, ``opened_at`` when it was recorded)."""

    what: ClassVar[str] = "contact"
    id: Ref = NULL
    network: Ref = NULL
    type: ContactTypeCode = NULL
    date: RequiredDay = NULL
    practitioner: RequiredUsername = NULL
    present: Items[Member] = Field(default_factory=list)
    seen_directly: Items[Member] = Field(default_factory=list)
    status: ContactStatusCode = NULL
    opened_at: RequiredMoment = NULL
    closed_at: Moment = NULL
    household_checks: Items[HouseholdCheck] = Field(default_factory=list)
    outcomes: Items[GapOutcome] = Field(default_factory=list)

    @model_validator(mode="after")
    def _closed(self) -> ContactRecord:
        if (self.status == gm.Contact.Status.CLOSED) != (self.closed_at is not None):
            raise refuse('is given exactly when the status is "closed"', "closed_at")
        if self.closed_at is not None and self.closed_at < self.opened_at:
            raise refuse("is before opened_at: a contact cannot close before it was opened", "closed_at")
        return self


class ActionItem(Record):
    """An action agreed at supervision: what, who will do it, by when; who
    completed it and when."""

    what: ClassVar[str] = "action"
    owner: RequiredUsername = NULL
    description: RequiredText = NULL
    due: RequiredDay = NULL
    completed_by: UsernameText = NULL
    completed_at: Moment = NULL
    completion_note: Text = NULL

    @model_validator(mode="after")
    def _completed(self) -> ActionItem:
        if bool(self.completed_by) != (self.completed_at is not None):
            raise refuse("and completed_at are given together, or neither", "completed_by")
        return self


class SupervisorDecisionRecord(Record):
    """A supervisor's decision about a family or one of its gaps."""

    what: ClassVar[str] = "supervisor's decision"
    id: Ref = NULL
    network: Ref = NULL
    gap: OptionalRef = NULL
    decision: RequiredText = NULL
    actions: Text = NULL
    agency_request_considered: Flag = NULL
    by: RequiredUsername = NULL
    at: RequiredMoment = NULL
    action_items: Items[ActionItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _completed_after(self) -> SupervisorDecisionRecord:
        for i, a in enumerate(self.action_items):
            if a.completed_at is not None and a.completed_at < self.at:
                raise refuse(
                    "is before the decision that agreed the action", f"action_items[{i}].completed_at"
                )
        return self


class InformationRequestRecord(Record):
    """A request to another agency for one missing fact about a person of the
    family (``what``: a person field, ``address`` or ``fact:<key>``), raised
    from one of its gaps or not; and its answer or refusal."""

    what: ClassVar[str] = "information request"
    id: Ref = NULL
    network: Ref = NULL
    person: Ref = NULL
    what_: FactNameText = Field(NULL, alias="what")
    gap: OptionalRef = NULL
    requested_by: RequiredUsername = NULL
    requested_by_agency: OrganisationText = NULL
    requested_by_team: OrganisationText = NULL
    to_agency: OrganisationText = NULL
    lawful_basis: LawfulBasisCode = NULL
    purpose: RequiredText = NULL
    urgency: UrgencyCode = NULL
    requested_at: RequiredMoment = NULL
    due_on: RequiredDay = NULL
    status: RequestStatusCode = NULL
    answered_by: UsernameText = NULL
    answered_at: Moment = NULL
    outcome: ShortText = NULL
    decline_reason: Text = NULL

    @model_validator(mode="after")
    def _answered(self) -> InformationRequestRecord:
        if (self.status == InformationRequest.Status.OPEN) != (self.answered_at is None):
            raise refuse('is given exactly when the status is not "open"', "answered_at")
        if self.answered_at is not None and self.answered_at < self.requested_at:
            raise refuse(
                "is before requested_at: a request cannot be answered before it was made", "answered_at"
            )
        return self


class SharingDecisionRecord(Record):
    """A decision to share, or not to share, information about the family. The
    lawful basis and the rationale may be missing (requirement 16 reports it)."""

    what: ClassVar[str] = "sharing decision"
    id: Ref = NULL
    network: Ref = NULL
    person: OptionalRef = NULL
    request: OptionalRef = NULL
    decision: DecisionCode = NULL
    what_: RequiredShortText = Field(NULL, alias="what")
    with_whom: RequiredShortText = NULL
    decided_by: RequiredUsername = NULL
    decided_by_agency: ShortText = NULL
    decided_at: RequiredMoment = NULL
    lawful_basis: LawfulBasisCode = NULL
    rationale: Text = NULL
    family_told: Flag = NULL
    family_not_told_reason: Text = NULL

    @model_validator(mode="after")
    def _told(self) -> SharingDecisionRecord:
        if not self.family_told and not self.family_not_told_reason.strip():
            raise refuse("is empty: say why the family was not told", "family_not_told_reason")
        return self


def _empty_list_of(value: Any) -> Any:
    return [] if value is None else value


class HistoryDocument(FamilyFileDocument):
    """A whole family file of version 2: version 1 and the family's history."""

    gaps: Annotated[list[GapRecord], BeforeValidator(_empty_list_of), Field(default_factory=list)]
    contacts: Annotated[list[ContactRecord], BeforeValidator(_empty_list_of), Field(default_factory=list)]
    supervisor_decisions: Annotated[
        list[SupervisorDecisionRecord], BeforeValidator(_empty_list_of), Field(default_factory=list)
    ]
    information_requests: Annotated[
        list[InformationRequestRecord], BeforeValidator(_empty_list_of), Field(default_factory=list)
    ]
    sharing_decisions: Annotated[
        list[SharingDecisionRecord], BeforeValidator(_empty_list_of), Field(default_factory=list)
    ]


HISTORY_SECTIONS = ("gaps", "contacts", "supervisor_decisions", "information_requests", "sharing_decisions")
