from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from kinmap.accounts.models import MaskedDetailEntitlement, User
from kinmap.api.fhir import EXPECTED_BIRTH_EXTENSION, UNBORN_EXTENSION
from kinmap.audit.models import AuditEvent
from kinmap.core.hl7 import (
    KINMAP_RELATIONSHIP_SYSTEM,
    REVERSE_ROLE_CODE,
    ROLE_CODE_SYSTEM,
    ROLE_CODES,
    coding_for,
)
from kinmap.core.vocab import REL_TYPES
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.care_orders import care_order_set
from kinmap.records.known_dates import SpanAccuracy
from tests.conftest import PASSWORD, index_child


def test_every_relationship_type_codes_to_a_known_role_code_or_a_kinmap_code() -> None:
    for t in REL_TYPES:
        for reverse in (False, True):
            coding = coding_for(t.code, reverse=reverse)
            if coding["system"] == ROLE_CODE_SYSTEM:
                assert ROLE_CODES[coding["code"]] == coding["display"]
            else:
                assert coding["system"] == KINMAP_RELATIONSHIP_SYSTEM
                assert t.hl7 is None or (reverse and t.code not in REVERSE_ROLE_CODE)


def test_parent_codes_read_from_both_sides() -> None:
    assert coding_for("NFTH") == {"system": ROLE_CODE_SYSTEM, "code": "NFTH", "display": "natural father"}
    assert coding_for("NFTH", reverse=True) == {
        "system": ROLE_CODE_SYSTEM,
        "code": "NCHILD",
        "display": "natural child",
    }
    assert coding_for("x-regular-visitor")["system"] == KINMAP_RELATIONSHIP_SYSTEM


@pytest.fixture
def seed_like(owner: User, baby_network: m.FamilyNetwork) -> tuple[m.Person, m.Person]:
    child = index_child(baby_network)
    mother = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(
            given_name="Mara",
            family_name="Testmother",
            sex="female",
            birth_date=date(1998, 2, 3),
            birth_date_accuracy="accurate",
            nhs_number="9990000018",
            phone="01632 960 111",
        ),
        related_to=child,
        relationship=s.RelationshipData(type="NMTH"),
    )
    s.residence_create(
        actor=owner,
        network=baby_network,
        person=mother,
        address=s.AddressData(address_line_1="5 Hidden Refuge Close", postcode="ZZ9 9AA", masked=True),
    )
    father = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Dan", sex="male"),
        related_to=child,
        relationship=s.RelationshipData(type="NFTH"),
    )
    return mother, father


@pytest.mark.django_db
def test_fhir_bundle_is_valid_r4b_with_role_codes_and_masked_address(
    client: Client, owner: User, baby_network: m.FamilyNetwork, seed_like: tuple[m.Person, m.Person]
) -> None:

    client.login(username=owner.username, password=PASSWORD)
    response = client.get(f"/api/v1/families/{baby_network.pk}/fhir")
    assert response.status_code == 200
    body = response.json()
    Bundle.model_validate(body)  # raises if the structure is not valid R4B
    assert "Hidden Refuge" not in response.content.decode()
    related = {
        e["resource"]["name"][0]["given"][0]: e["resource"]
        for e in body["entry"]
        if e["resource"]["resourceType"] == "RelatedPerson"
    }
    assert related["Dan"]["relationship"][0]["coding"][0]["code"] == "NFTH"
    assert related["Mara"]["relationship"][0]["coding"][0]["code"] == "NMTH"
    assert related["Mara"]["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018"}
    ]
    assert related["Mara"]["address"] == [
        {
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "masked"}
            ]
        }
    ]
    assert AuditEvent.objects.filter(action="export", network_id=baby_network.pk, channel="api").count() == 1


@pytest.mark.django_db
def test_fhir_bundle_shows_masked_address_to_an_entitled_user(
    client: Client, owner: User, baby_network: m.FamilyNetwork, seed_like: tuple[m.Person, m.Person]
) -> None:
    assert owner.team is not None
    MaskedDetailEntitlement.objects.create(agency=owner.team.agency, role=owner.role)
    client.login(username=owner.username, password=PASSWORD)
    body = client.get(f"/api/v1/families/{baby_network.pk}/fhir").json()
    addresses = [a for e in body["entry"] for a in e["resource"].get("address", [])]
    assert {"use": "home", "line": ["5 Hidden Refuge Close"], "postalCode": "ZZ9 9AA"} in addresses


# -- the export says what the pages say --------------------------------------


def _bundle(client: Client, owner: User, network: m.FamilyNetwork) -> dict[str, Any]:
    client.login(username=owner.username, password=PASSWORD)
    response = client.get(f"/api/v1/families/{network.pk}/fhir")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    body: dict[str, Any] = response.json()
    Bundle.model_validate(body)
    return body


def _child(
    owner: User, network: m.FamilyNetwork, given: str, born: date, parents: tuple[tuple[m.Person, str], ...]
) -> m.Person:
    data = s.PersonData(
        given_name=given, family_name="Testkid", birth_date=born, birth_date_accuracy="accurate"
    )
    kid = s.person_add(actor=owner, network=network, data=data)
    for parent, code in parents:
        link = s.RelationshipData(code)
        s.relationship_create(actor=owner, network=network, from_person=parent, to_person=kid, data=link)
    return kid


@pytest.mark.django_db
def test_the_bundle_has_the_derived_siblings_and_twins_with_uuid_urls_its_references_use(
    client: Client, owner: User, baby_network: m.FamilyNetwork, seed_like: tuple[m.Person, m.Person]
) -> None:
    mother, dan = seed_like
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    other_dad = s.person_add(
        actor=owner, network=baby_network, data=s.PersonData(given_name="Olly", sex="male")
    )
    both = ((mother, "NMTH"), (dan, "NFTH"))
    _child(owner, baby_network, "Twyla", baby.birth_date, both)
    _child(owner, baby_network, "Fern", baby.birth_date - timedelta(days=800), both)
    _child(
        owner,
        baby_network,
        "Hal",
        baby.birth_date - timedelta(days=1500),
        ((mother, "NMTH"), (other_dad, "NFTH")),
    )
    body = _bundle(client, owner, baby_network)
    related = {
        e["resource"]["name"][0]["given"][0]: e["resource"]
        for e in body["entry"]
        if e["resource"]["resourceType"] == "RelatedPerson"
    }
    codes = {name: r["relationship"][0]["coding"][0] for name, r in related.items()}
    assert {name: c["code"] for name, c in codes.items() if name in ("Twyla", "Fern", "Hal")} == {
        "Twyla": "TWIN",
        "Fern": "SIB",
        "Hal": "HSIB",
    }
    assert all(c["display"] == ROLE_CODES[c["code"]] for c in codes.values())
    urls = [e["fullUrl"] for e in body["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(
        re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u)
        for u in urls
    )
    [patient_url] = [e["fullUrl"] for e in body["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert {r["patient"]["reference"] for r in related.values()} == {patient_url}
    # the same record gives the same identifiers in the next export
    assert [e["fullUrl"] for e in _bundle(client, owner, baby_network)["entry"]] == urls


@pytest.mark.django_db
def test_an_unborn_child_is_marked_unborn_with_the_expected_date(client: Client, owner: User) -> None:
    due = date.today() + timedelta(days=60)
    network = s.network_create(
        actor=owner,
        child=s.PersonData(name_absent_reason="not born yet", birth_date=due, birth_date_accuracy="expected"),
    )
    [patient] = [e["resource"] for e in _bundle(client, owner, network)["entry"]]
    assert "birthDate" not in patient  # not presented as a date of birth
    assert patient["extension"] == [
        {"url": UNBORN_EXTENSION, "valueBoolean": True},
        {"url": EXPECTED_BIRTH_EXTENSION, "valueDate": due.isoformat()},
    ]


@pytest.mark.django_db
def test_a_care_order_is_a_contact_naming_the_local_authority_organization(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    made, ended = baby.birth_date + timedelta(days=2), baby.birth_date + timedelta(days=9)
    care_order_set(
        actor=owner,
        network=baby_network,
        child=baby,
        local_authority="Oldtown Borough Council",
        start=made,
        end=ended,
    )
    care_order_set(
        actor=owner, network=baby_network, child=baby, local_authority="Testham City Council", start=ended
    )
    body = _bundle(client, owner, baby_network)
    Bundle.model_validate(body)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for e in body["entry"]:
        by_type.setdefault(e["resource"]["resourceType"], []).append(e)
    [patient] = [e["resource"] for e in by_type["Patient"]]
    orgs = {e["resource"]["name"]: e["fullUrl"] for e in by_type["Organization"]}
    assert set(orgs) == {"Oldtown Borough Council", "Testham City Council"}
    assert [e["resource"]["type"][0]["coding"][0]["code"] for e in by_type["Organization"]] == [
        "govt",
        "govt",
    ]
    contacts = patient["contact"]
    assert [(c["organization"]["reference"], c.get("period")) for c in contacts] == [
        (orgs["Oldtown Borough Council"], {"start": made.isoformat(), "end": ended.isoformat()}),
        (orgs["Testham City Council"], {"start": ended.isoformat()}),
    ]
    assert {c["relationship"][0]["coding"][0]["code"] for c in contacts} == {"S"}
    assert "care order" in contacts[0]["relationship"][0]["text"]


@pytest.mark.django_db
def test_a_care_order_known_only_roughly_is_never_an_exact_period(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    made = baby.birth_date + timedelta(days=40)
    care_order_set(
        actor=owner,
        network=baby_network,
        child=baby,
        local_authority="Testham City Council",
        start=made,
        accuracy=SpanAccuracy(start_accuracy="month"),
    )
    body = _bundle(client, owner, baby_network)
    Bundle.model_validate(body)
    [patient] = [e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == "Patient"]
    [contact] = patient["contact"]
    assert contact["period"] == {"start": made.strftime("%Y-%m")}  # the month, not a guessed day


@pytest.mark.django_db
def test_no_care_order_no_contact_and_no_organization(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    body = _bundle(client, owner, baby_network)
    assert all(e["resource"]["resourceType"] != "Organization" for e in body["entry"])
    assert all("contact" not in e["resource"] for e in body["entry"])
