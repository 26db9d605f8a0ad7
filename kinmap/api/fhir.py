"""HL7 FHIR R4B export of a family network: a collection Bundle with a Patient
for each index child and a RelatedPerson for each relationship of another
person to that child. Masked details are replaced by the data-absent-reason
extension with the code ``masked``."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle

from kinmap.accounts.models import User
from kinmap.core.hl7 import coding_for
from kinmap.core.model import Person
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
    if p.birth_date and p.birth_date_accuracy in (DateAccuracy.ACCURATE, DateAccuracy.ESTIMATED):
        out["birthDate"] = p.birth_date.isoformat()
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
        period = {k: v.isoformat() for k, v in (("start", res.start), ("end", res.end)) if v}
        if period:
            addr["period"] = period
        addresses.append(addr)
    if addresses:
        out["address"] = addresses
    return out


def family_bundle(record: FamilyRecord, user: User) -> dict[str, Any]:
    entitled = can_see_masked(user)
    net = record.graph_network
    entries: list[dict[str, Any]] = []
    for cid in record.index_child_ids:
        child = net.people[cid]
        patient = {"resourceType": "Patient", "id": f"person-{cid}", **_demographics(child, record, entitled)}
        if child.death_date:
            patient["deceasedDateTime"] = child.death_date.isoformat()
        entries.append({"fullUrl": f"urn:kinmap:person:{cid}", "resource": patient})
        for r in net.relationships:
            if cid not in (r.from_id, r.to_id):
                continue
            other = r.from_id if r.to_id == cid else r.to_id
            if not net.is_member(other):
                continue
            related = {
                "resourceType": "RelatedPerson",
                "id": f"relationship-{r.id}-for-{cid}",
                "patient": {"reference": f"urn:kinmap:person:{cid}"},
                "relationship": [{"coding": [coding_for(r.type, reverse=other == r.to_id)]}],
                **_demographics(net.people[other], record, entitled),
            }
            # death carries through: the relationship is no longer active and its period ends then
            died = net.people[other].death_date
            end = min(d for d in (r.end, died) if d) if (r.end or died) else None
            if died is not None:
                related["active"] = False
            if r.start or end:
                related["period"] = {k: v.isoformat() for k, v in (("start", r.start), ("end", end)) if v}
            entries.append({"fullUrl": f"urn:kinmap:relationship:{r.id}:{cid}", "resource": related})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    # fhir.resources checks the structure (it does not check codes: see core.hl7)
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
