"""The family file as read: one dataclass per kind of record, holding
checked values ready for the record services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from kinmap.records import services as s
from kinmap.records.known_dates import EXACT_SPAN, SpanAccuracy

from .document import MASKED_INCLUDED

if TYPE_CHECKING:
    from .history_schema import (
        ContactRecord,
        GapRecord,
        InformationRequestRecord,
        SharingDecisionRecord,
        SupervisorDecisionRecord,
    )

# -- the parsed file -----------------------------------------------------------


@dataclass
class Prov:
    source: str = ""
    detail: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None


@dataclass
class AllocationIn:
    agency: str
    team: str
    start: date
    end: date | None


@dataclass
class NetworkIn:
    id: str
    name: str
    index_children: list[str]
    other_members: list[str]
    allocations: list[AllocationIn]


@dataclass
class FactIn:
    value: str
    provenance: Prov


@dataclass
class PersonIn:
    id: str
    data: s.PersonData
    other_names: list[tuple[str, str, str]]  # (kind, given name, family name)
    facts: dict[str, FactIn]
    provenance: dict[str, Prov]  # by person field


@dataclass
class HouseholdIn:
    id: str
    address: s.AddressData
    provenance: Prov


@dataclass
class RelationshipIn:
    from_id: str
    to_id: str
    type: str
    start: date | None
    end: date | None
    provenance: Prov
    legal_basis: str = ""
    accuracy: SpanAccuracy = EXACT_SPAN


@dataclass
class ResidenceIn:
    person: str
    household: str
    start: date | None
    end: date | None
    provenance: Prov
    accuracy: SpanAccuracy = EXACT_SPAN


@dataclass
class CareIn:
    carer: str
    child: str
    data: s.CareData
    provenance: Prov


@dataclass
class PRIn:
    person: str
    child: str
    basis: str
    start: date | None
    provenance: Prov
    end: date | None = None
    accuracy: SpanAccuracy = EXACT_SPAN


@dataclass
class CareOrderIn:
    """A care order: the local authority shares parental responsibility."""

    child: str
    local_authority: str
    start: date | None
    end: date | None
    provenance: Prov
    accuracy: SpanAccuracy = EXACT_SPAN


@dataclass
class JointIn:
    id: str
    network: str
    person: str
    contact_on: date | None
    contact_type: str
    invited_on: date | None
    invited_by: str
    outcome: str
    outcome_note: str


@dataclass
class InformationIn:
    network: str
    person: str
    material: str
    how: str
    given_on: date | None
    given_by: str
    declined: bool
    declined_reason: str
    appointment: str


@dataclass
class FamilyFile:
    networks: list[NetworkIn] = field(default_factory=list)
    people: list[PersonIn] = field(default_factory=list)
    households: list[HouseholdIn] = field(default_factory=list)
    relationships: list[RelationshipIn] = field(default_factory=list)
    residences: list[ResidenceIn] = field(default_factory=list)
    care: list[CareIn] = field(default_factory=list)
    pr: list[PRIn] = field(default_factory=list)
    care_orders: list[CareOrderIn] = field(default_factory=list)
    joint: list[JointIn] = field(default_factory=list)
    information: list[InformationIn] = field(default_factory=list)
    # The family's history (version 2): checked records as the file gives them.
    gaps: list[GapRecord] = field(default_factory=list)
    contacts: list[ContactRecord] = field(default_factory=list)
    supervisor_decisions: list[SupervisorDecisionRecord] = field(default_factory=list)
    information_requests: list[InformationRequestRecord] = field(default_factory=list)
    sharing_decisions: list[SharingDecisionRecord] = field(default_factory=list)
    reference_date: date | None = None
    masked_details: str = MASKED_INCLUDED
    description: str = ""
    # Where each user name and team is named, to report one not found there.
    _user_refs: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    _team_refs: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)

    def person_label(self, index: int) -> str:
        return f'people[{index}] (id "{self.people[index].id}")'

    def counts(self) -> dict[str, int]:
        return {
            "networks": len(self.networks),
            "people": len(self.people),
            "relationships": len(self.relationships),
            "households": len(self.households),
            "residences": len(self.residences),
            "care_arrangements": len(self.care),
            "parental_responsibility": len(self.pr),
            "care_orders": len(self.care_orders),
            "joint_appointments": len(self.joint),
            "information_given": len(self.information),
            "gaps": len(self.gaps),
            "gap_events": sum(len(g.events) for g in self.gaps),
            "contacts": len(self.contacts),
            "supervisor_decisions": len(self.supervisor_decisions),
            "information_requests": len(self.information_requests),
            "sharing_decisions": len(self.sharing_decisions),
        }

    def joint_label(self, index: int) -> str:
        return f'joint_appointments[{index}] (id "{self.joint[index].id}")'
