"""A small family built through the services, for the page tests: a baby, the
mother, and the father who lives elsewhere and has the baby overnight."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import index_child


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Signing in is not what these tests are about: hash test passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Family:
    network: m.FamilyNetwork
    baby: m.Person
    mother: m.Person
    father: m.Person
    rel: m.Relationship
    stay: m.Residence
    care: m.CareArrangement
    pr: m.ParentalResponsibility


@pytest.fixture
def family(owner: User, baby_network: m.FamilyNetwork) -> Family:
    net = baby_network
    baby = index_child(net)
    mother = s.person_add(
        actor=owner,
        network=net,
        data=s.PersonData(given_name="Mara", family_name="Testmother", sex="female"),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    father = s.person_add(
        actor=owner,
        network=net,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male"),
        related_to=baby,
        relationship=s.RelationshipData("NFTH"),
    )
    home = s.residence_create(
        actor=owner,
        network=net,
        person=mother,
        address=s.AddressData(address_line_1="1 Home Road", town="Northtown", postcode="ZZ99 1AA"),
    )
    s.residence_create(actor=owner, network=net, person=baby, household=home.household)
    stay = s.residence_create(
        actor=owner,
        network=net,
        person=father,
        address=s.AddressData(address_line_1="9 Away Lane", town="Northtown", postcode="ZZ99 2BB"),
    )
    care = s.care_create(
        actor=owner,
        network=net,
        carer=father,
        child=baby,
        data=s.CareData(place="carer-home", frequency="on Fridays", overnight=True),
    )
    pr = s.pr_set(actor=owner, network=net, person=mother, child=baby, basis="birth-mother")
    rel = m.Relationship.objects.get(from_person=father, type="NFTH")
    return Family(net, baby, mother, father, rel, stay, care, pr)
