from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from kinmap.accounts.models import MaskedDetailEntitlement, User
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
