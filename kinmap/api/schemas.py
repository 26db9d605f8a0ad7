"""Shapes of the JSON API's answers.

A schema whose answers are not plain ``application/json`` names its media type
in ``media_type``; the OpenAPI document (``kinmap.api.openapi``) and the
answers themselves both use it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from ninja import Schema
from pydantic import ConfigDict

# RFC 9457 section 3: the media type of a problem document in JSON.
PROBLEM_MEDIA_TYPE = "application/problem+json"
# HL7 FHIR R4B, http://hl7.org/fhir/R4B/http.html#mime-type: the media type of FHIR JSON.
FHIR_MEDIA_TYPE = "application/fhir+json"


class Problem(Schema):
    """An RFC 9457 problem document: every 4xx and 5xx answer of the API.

    ``type`` is always ``about:blank`` (RFC 9457 section 4.2.1: the title is
    then the HTTP status phrase or a short summary); ``status`` repeats the
    HTTP status code; ``detail`` says what was wrong with this request.
    """

    media_type: ClassVar[str] = PROBLEM_MEDIA_TYPE

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FhirBundle(Schema):
    """An HL7 FHIR R4B Bundle of type ``collection`` (http://hl7.org/fhir/R4B/bundle.html).

    Only the Bundle's own top level is described here; its entries are FHIR
    resources (Patient, RelatedPerson) whose structure the FHIR specification
    defines and ``fhir.resources`` checks before the answer is sent.
    """

    model_config = ConfigDict(extra="allow")
    media_type: ClassVar[str] = FHIR_MEDIA_TYPE

    resourceType: Literal["Bundle"]  # FHIR's own element name
    type: Literal["collection"]
    entry: list[dict[str, Any]] = []


class FamilySummary(Schema):
    id: int
    name: str
    index_children: list[int]
    updated_at: str
    closed_at: str | None = None  # closed: read-only and off worklists until reopened


class FamiliesPage(Schema):
    """One page of the families allocated to your team (``?page=N``, 1 first;
    :data:`kinmap.web.pagination.PAGE_SIZE` a page, the most recently
    changed first): the page's families, how many there are in all, this
    page's number, the number of pages, and the addresses of the next and
    previous pages (None at either end). A page that is not a whole number
    from 1 to ``pages`` answers 404, as a missing family does."""

    items: list[FamilySummary]
    count: int
    page: int
    pages: int
    next: str | None = None
    previous: str | None = None


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
    birth_date_accuracy: str  # kinmap.core.vocab.DateAccuracy code ("accurate" is exact)
    birth_date_latest: date | None = None  # for "between": the last day it can be
    death_date: date | None
    death_date_accuracy: str = "accurate"
    death_date_latest: date | None = None
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
    # how well each date is known (DateAccuracy codes) and for "between" its last day
    start_accuracy: str = "accurate"
    start_latest: date | None = None
    end_accuracy: str = "accurate"
    end_latest: date | None = None
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
    # how well each date is known (DateAccuracy codes) and for "between" its last day
    start_accuracy: str = "accurate"
    start_latest: date | None = None
    end_accuracy: str = "accurate"
    end_latest: date | None = None


class FamilyOut(Schema):
    id: int
    name: str
    version: int
    closed_at: str | None = None  # closed: read-only and off worklists until reopened
    people: list[PersonOut]
    relationships: list[RelationshipOut]
    households: list[HouseholdOut]
    care: list[CareOut]
    relatives_in_other_networks: list[RelativesElsewhereOut]


class NetworkRef(Schema):
    id: int
    name: str


class FoundPersonOut(Schema):
    """A person found in a family network the user may see."""

    id: int
    name: str
    birth_date: date | None
    probability: float
    reasons: list[str]
    networks: list[NetworkRef]
    other_networks: OtherNetworksOut


class SearchOut(Schema):
    """What a search found: people in networks the user may see, and of the
    others only how many networks and which agencies hold them."""

    people: list[FoundPersonOut]
    other_networks: OtherNetworksOut
