"""Shapes of the JSON API's answers."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FamilySummary(Schema):
    id: int
    name: str
    index_children: list[int]
    updated_at: str


class OtherNetworksOut(Schema):
    """That a person is also recorded in other family networks: how many, and
    the agencies allocated to them; nothing else (see records.selectors.Elsewhere)."""

    count: int
    agencies: list[str]


class PersonOut(Schema):
    id: int
    name: str
    given_name: str
    family_name: str
    name_absent_reason: str
    sex: str
    birth_date: date | None
    birth_date_accuracy: str
    death_date: date | None
    nhs_number: str
    phone: str
    email: str
    is_index_child: bool
    in_this_network: bool
    description: dict[str, str]  # child id -> "Birth father · lives elsewhere · ..."
    other_networks: OtherNetworksOut


class RelativeOut(Schema):
    id: int
    name: str
    description: str


class RelativesElsewhereOut(Schema):
    """A child's relatives recorded only in other family networks: by name those
    in networks the user may see, the rest as a count and the agencies to ask."""

    child: int
    people: list[RelativeOut]
    hidden_count: int
    hidden_agencies: list[str]


class RelationshipOut(Schema):
    id: int
    from_person: int
    to_person: int
    type: str
    hl7_role_code: str | None
    label: str
    start: date | None
    end: date | None
    source: str


class HouseholdOut(Schema):
    id: int
    address: str
    masked: bool
    residents: list[int]


class CareOut(Schema):
    id: int
    carer: int
    child: int
    place: str
    frequency: str
    overnight: bool
    supervised: bool
    sleep_place: str
    start: date | None
    end: date | None


class FamilyOut(Schema):
    id: int
    name: str
    version: int
    people: list[PersonOut]
    relationships: list[RelationshipOut]
    households: list[HouseholdOut]
    care: list[CareOut]
    relatives_in_other_networks: list[RelativesElsewhereOut]
