"""HL7 FHIR R4B export of a family network: a collection Bundle with a Patient
for each index child and a RelatedPerson for each relationship of another
person to that child, recorded or derived (:func:`family_bundle`). Masked
details are replaced by the data-absent-reason extension with the code ``masked``."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from kinmap.accounts.models import User
from kinmap.core.dates import KnownDate
from kinmap.core.graph import FamilyGraph, SiblingKind
from kinmap.core.hl7 import ROLE_CODE_SYSTEM, ROLE_CODES, coding_for
from kinmap.core.model import CareOrder, Person
from kinmap.core.vocab import DateAccuracy, Sex
from kinmap.records.selectors import FamilyRecord
from kinmap.web.masking import can_see_masked

DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other"}


def _masked() -> dict[str, Any]:
    return {"extension": [{"url": DATA_ABSENT, "valueCode": "masked"}]}


def _demographics(p: Person, record: FamilyRecord, entitled: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"gender": GENDER.get(p.sex, "unknown")}
    if p.given_name or p.family_name:
        name: dict[str, Any] = {"use": "usual"}
        if p.family_name:
            name["family"] = p.family_name
        if p.given_name:
            name["given"] = [p.given_name]
        out["name"] = [name]
    if p.birth_date and not p.unborn:
        out.update(fhir_date("birthDate", p.birth))
    if p.nhs_number:
        out["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": p.nhs_number}]
    telecom: list[dict[str, Any]] = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone} if entitled or not p.phone_masked else _masked())
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    if telecom:
        out["telecom"] = telecom
    addresses = []
    for res in record.graph_network.residences:
        if res.person_id != p.id:
            continue
        h = record.graph_network.households[res.household_id]
        if h.masked and not entitled:
            addresses.append(_masked())
            continue
        addr: dict[str, Any] = {"use": "home", "line": [x for x in (h.address_line_1, h.address_line_2) if x]}
        if h.town:
            addr["city"] = h.town
        if h.postcode:
            addr["postalCode"] = h.postcode
        period = fhir_period(res.start_known if res.start else None, res.end_known if res.end else None)
        if period:
            addr["period"] = period
        addresses.append(addr)
    if addresses:
        out["address"] = addresses
    return out


# kinmap's own extensions (FHIR R4B has no element for them), documented in the README.
UNBORN_EXTENSION = "urn:kinmap:fhir:StructureDefinition:unborn"
EXPECTED_BIRTH_EXTENSION = "urn:kinmap:fhir:StructureDefinition:expected-date-of-birth"
# How well a date is known, on a date or dateTime element (``_birthDate``,
# ``_deceasedDateTime``, a Period's ``_start`` and ``_end``) whose value is left
# out because no FHIR date says it: a complex extension of ``accuracy`` (a
# kinmap.core.vocab.DateAccuracy name: about, before, after, between, unknown),
# ``date`` (the day recorded), ``earliest`` and ``latest`` (the range it can be,
# kinmap.core.dates). Exact, month and year dates are FHIR dates (YYYY-MM-DD,
# YYYY-MM, YYYY) with no extension.
DATE_ACCURACY_EXTENSION = "urn:kinmap:fhir:StructureDefinition:date-accuracy"
_ACCURACY_NAME = {
    DateAccuracy.ABOUT: "about",
    DateAccuracy.BEFORE: "before",
    DateAccuracy.AFTER: "after",
    DateAccuracy.BETWEEN: "between",
    DateAccuracy.UNKNOWN: "unknown",
    DateAccuracy.EXPECTED: "expected",
}


def fhir_date(element: str, known: KnownDate) -> dict[str, Any]:
    """``known`` as FHIR JSON for the date or dateTime ``element``: an exact
    day ``{element: "YYYY-MM-DD"}``, a month ``"YYYY-MM"``, a year ``"YYYY"``;
    any other accuracy no value but ``{"_" + element: {"extension": [...]}}``
    with :data:`DATE_ACCURACY_EXTENSION`, so an estimate never reads as exact."""
    on = known.on
    if on is None:
        return {}
    if known.accuracy is DateAccuracy.EXACT:
        return {element: on.isoformat()}
    if known.accuracy is DateAccuracy.MONTH:
        return {element: f"{on:%Y-%m}"}
    if known.accuracy is DateAccuracy.YEAR:
        return {element: f"{on:%Y}"}
    parts = [
        {"url": "accuracy", "valueCode": _ACCURACY_NAME[known.accuracy]},
        {"url": "date", "valueDate": on.isoformat()},
        {"url": "earliest", "valueDate": known.earliest().isoformat()},
        {"url": "latest", "valueDate": known.latest_day().isoformat()},
    ]
    return {f"_{element}": {"extension": [{"url": DATE_ACCURACY_EXTENSION, "extension": parts}]}}


def fhir_period(start: KnownDate | None, end: KnownDate | None) -> dict[str, Any]:
    """A FHIR Period from a start and end as known (None: not recorded), each
    as :func:`fhir_date` writes it; empty when neither has a day."""
    out: dict[str, Any] = {}
    if start is not None:
        out.update(fhir_date("start", start))
    if end is not None:
        out.update(fhir_date("end", end))
    return out


# Names the fullUrl of each entry (``urn:uuid:``, RFC 4122 version 5): the
# same record gives the same identifier in every export.
_UUID_NAMESPACE = uuid.UUID("6f1c7a52-3a1e-5b6f-9d0c-2b1f8e4a7c11")

# HL7 v3 RoleCode for siblings the family page derives (not recorded as a
# relationship): checked by hand against the RoleCode code system (core.hl7).
DERIVED_SIBLING_CODE = {SiblingKind.FULL: "SIB", SiblingKind.HALF: "HSIB", SiblingKind.STEP: "STPSIB"}


def _urn(kind: str, *ids: int) -> str:
    return f"urn:uuid:{uuid.uuid5(_UUID_NAMESPACE, ':'.join((kind, *map(str, ids))))}"


def _role(code: str) -> dict[str, Any]:
    return {"coding": [{"system": ROLE_CODE_SYSTEM, "code": code, "display": ROLE_CODES[code]}]}


# HL7 v2 table 0131 (contact role), used by Patient.contact.relationship in R4:
# "S" is a state agency, the nearest code for a local authority.
CONTACT_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0131"
ORGANIZATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/organization-type"
CARE_ORDER_TEXT = "Local authority with parental responsibility under a care order (Children Act 1989 s33(3))"


def _organization_urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_UUID_NAMESPACE, 'organization:' + name)}"


def _care_order_contacts(orders: list[CareOrder]) -> list[dict[str, Any]]:
    """A Patient.contact for each care order: the local authority (an
    Organization reference), in the role "S" (state agency) of HL7 v2 table
    0131 with the care order in words, for the period the order runs (its
    dates as well as they are known: :func:`fhir_period`)."""
    out = []
    for o in orders:
        contact: dict[str, Any] = {
            "relationship": [
                {
                    "coding": [{"system": CONTACT_ROLE_SYSTEM, "code": "S", "display": "State Agency"}],
                    "text": CARE_ORDER_TEXT,
                }
            ],
            "organization": {"reference": _organization_urn(o.local_authority), "display": o.local_authority},
        }
        # as well as the dates are known: an estimate never reads as exact
        period = fhir_period(o.start_known if o.start else None, o.end_known if o.end else None)
        if period:
            contact["period"] = period
        out.append(contact)
    return out


def family_bundle(record: FamilyRecord, user: User) -> dict[str, Any]:
    """The family as an HL7 FHIR R4B collection Bundle: for each index child a
    Patient (an unborn child marked with kinmap's ``unborn`` extension and its
    expected date), then a RelatedPerson for each relationship the family page
    shows between the child and another member: every recorded relationship,
    and the full, half and step siblings and twins it derives from shared
    parents. A care order is a ``contact`` of the child's Patient naming the
    local authority that shares parental responsibility (an Organization
    entry, type ``govt``, after the people), with the order's period. Someone
    who has died is ``active`` false, the period ending on the day they died.
    Each entry's ``fullUrl`` is a ``urn:uuid:`` that the references use.
    Masked details are replaced by the data-absent-reason ``masked`` unless
    ``user`` is entitled to see them. Returns the Bundle as JSON-ready data,
    checked by ``fhir.resources``."""
    entitled = can_see_masked(user)
    net = record.graph_network
    today = timezone.localdate()
    graph = FamilyGraph(net, today)
    entries: list[dict[str, Any]] = []
    organizations: dict[str, dict[str, Any]] = {}  # the local authorities named by care orders

    def related_person(
        rid: str,
        url: str,
        cid: int,
        other: int,
        role: dict[str, Any],
        start: KnownDate | None = None,
        end: KnownDate | None = None,
    ) -> None:
        resource = {
            "resourceType": "RelatedPerson",
            "id": rid,
            "patient": {"reference": _urn("person", cid)},
            "relationship": [role],
            **_demographics(net.people[other], record, entitled),
        }
        # death carries through: the relationship is no longer active and its period ends then
        dead = net.people[other]
        if dead.death_date is not None:
            resource["active"] = False
            if end is None or dead.death.latest_day() < end.latest_day():
                end = dead.death
        period = fhir_period(start, end)
        if period:
            resource["period"] = period
        entries.append({"fullUrl": url, "resource": resource})

    for cid in record.index_child_ids:
        child = net.people[cid]
        patient = {"resourceType": "Patient", "id": f"person-{cid}", **_demographics(child, record, entitled)}
        if child.death_date:
            patient.update(fhir_date("deceasedDateTime", child.death))
        if child.unborn:
            patient["extension"] = [{"url": UNBORN_EXTENSION, "valueBoolean": True}]
            if child.birth_date:
                patient["extension"].append(
                    {"url": EXPECTED_BIRTH_EXTENSION, "valueDate": child.birth_date.isoformat()}
                )
        orders = [o for o in net.care_orders if o.child_id == cid]
        if orders:
            patient["contact"] = _care_order_contacts(orders)
        for o in orders:
            if o.local_authority not in organizations:
                organizations[o.local_authority] = {
                    "fullUrl": _organization_urn(o.local_authority),
                    "resource": {
                        "resourceType": "Organization",
                        "id": f"organization-{len(organizations) + 1}",
                        "type": [
                            {
                                "coding": [
                                    {
                                        "system": ORGANIZATION_TYPE_SYSTEM,
                                        "code": "govt",
                                        "display": "Government",
                                    }
                                ]
                            }
                        ],
                        "name": o.local_authority,
                    },
                }
        entries.append({"fullUrl": _urn("person", cid), "resource": patient})
        recorded: set[int] = set()
        for r in net.relationships:
            if cid not in (r.from_id, r.to_id):
                continue
            other = r.from_id if r.to_id == cid else r.to_id
            if not net.is_member(other):
                continue
            recorded.add(other)
            related_person(
                f"relationship-{r.id}-for-{cid}",
                _urn("relationship", r.id, cid),
                cid,
                other,
                {"coding": [coding_for(r.type, reverse=other == r.to_id)]},
                r.start_known if r.start else None,
                r.end_known if r.end else None,
            )
        for sib in graph.siblings(cid):
            other = sib.person_id
            if other in recorded or not net.is_member(other):
                continue
            code = "TWIN" if graph.is_twin(cid, other) else DERIVED_SIBLING_CODE[sib.kind]
            related_person(f"sibling-{other}-of-{cid}", _urn("sibling", other, cid), cid, other, _role(code))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [*entries, *organizations.values()]}
    # fhir.resources checks the structure (it does not check codes: see core.hl7)
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
