"""A family like the seed case, built through the services: a baby of about six
weeks living with his mother; his father lives elsewhere and has him overnight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s

# Unique values that must never reach a carer pack.
MASKED_ADDRESS_CANARY = "Canary Masked Row"
MOTHER_PHONE_CANARY = "01632 960 987"
FATHER_ADDRESS_CANARY = "Fatherhome Canary Lane"
GRAN_PHONE_CANARY = "01632 960 654"


@dataclass
class Family:
    network: m.FamilyNetwork
    baby: m.Person
    mother: m.Person
    father: m.Person
    gran: m.Person
    father_care: m.CareArrangement


def seed_like_family(actor: User, *, baby_days: int = 43) -> Family:
    today = timezone.localdate()
    network = s.network_create(
        actor=actor,
        child=s.PersonData(
            given_name="Kai",
            family_name="Testwood",
            sex="male",
            birth_date=today - timedelta(days=baby_days),
            birth_date_accuracy="accurate",
        ),
    )
    baby = m.NetworkMember.objects.get(network=network, is_index=True).person
    mother = s.person_add(
        actor=actor,
        network=network,
        data=s.PersonData(
            given_name="Mara",
            family_name="Testwood",
            sex="female",
            phone=MOTHER_PHONE_CANARY,
            phone_masked=True,
        ),
        related_to=baby,
        relationship=s.RelationshipData(type="NMTH"),
    )
    home = s.residence_create(
        actor=actor,
        network=network,
        person=mother,
        address=s.AddressData(
            address_line_1=f"4 {MASKED_ADDRESS_CANARY}", town="Northshire", postcode="ZZ99 1AA", masked=True
        ),
    )
    s.residence_create(actor=actor, network=network, person=baby, household=home.household)
    father = s.person_add(
        actor=actor,
        network=network,
        data=s.PersonData(given_name="Dale", family_name="Testcroft", sex="male"),
        related_to=baby,
        relationship=s.RelationshipData(type="NFTH"),
    )
    s.residence_create(
        actor=actor,
        network=network,
        person=father,
        address=s.AddressData(address_line_1=f"9 {FATHER_ADDRESS_CANARY}", postcode="ZZ99 2BB"),
    )
    care = s.care_create(
        actor=actor,
        network=network,
        carer=father,
        child=baby,
        data=s.CareData(place="carer-home", frequency="on Friday nights", overnight=True),
    )
    gran = s.person_add(
        actor=actor,
        network=network,
        data=s.PersonData(given_name="Gwen", family_name="Testwood", sex="female", phone=GRAN_PHONE_CANARY),
        related_to=baby,
        relationship=s.RelationshipData(type="GRPRN"),
    )
    return Family(network, baby, mother, father, gran, care)
