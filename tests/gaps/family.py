"""A family like the one in the Child K briefing note, built through the
services: a baby of 9 weeks, his mother recorded fully, and his father who
lives elsewhere, has the baby overnight, and about whom little is known."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kinmap.accounts.models import User
from kinmap.core.nhs import nhs_check_digit
from kinmap.records import models as m
from kinmap.records import services as s

MOTHER_SAYS = s.Source_("said-by", "the mother")


@dataclass
class SeedFamily:
    network: m.FamilyNetwork
    baby: m.Person
    mother: m.Person
    father: m.Person


def baby_nhs_number(name: str) -> str:
    """A valid NHS number for the baby of the family called ``name``: 943 476
    5919 for the usual one, another for each other name (one person, one NHS
    number, so two seeded families cannot share one)."""
    if name == "Testbaby":
        return "9434765919"
    n = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    while (check := nhs_check_digit(f"{n % 10**9:09d}")) is None:
        n += 1
    return f"{n % 10**9:09d}{check}"


def seed_family(actor: User, *, today: date | None = None, name: str = "Testbaby") -> SeedFamily:
    day = today or date.today()
    network = s.network_create(
        actor=actor,
        child=s.PersonData(
            given_name="Rowan",
            family_name=name,
            sex="male",
            birth_date=day - timedelta(days=63),
            birth_date_accuracy="accurate",
            nhs_number=baby_nhs_number(name),
        ),
        source=s.Source_("birth-registration"),
    )
    baby = m.NetworkMember.objects.get(network=network, is_index=True).person
    # The team has worked with the family since the pregnancy: contacts and
    # answers up to a year back can be recorded after the event
    # (``kinmap.records.lifecycle.network_began``).
    m.Allocation.objects.filter(network=network).update(start=day - timedelta(days=365))
    mother = s.person_add(
        actor=actor,
        network=network,
        data=s.PersonData(
            given_name="Mara",
            family_name=name,
            sex="female",
            birth_date=date(1996, 4, 2),
            birth_date_accuracy="accurate",
            phone="07700 900001",
            seen_directly_on=day - timedelta(days=7),
        ),
        source=MOTHER_SAYS,
        related_to=baby,
        relationship=s.RelationshipData(type="NMTH"),
    )
    home = s.residence_create(
        actor=actor,
        network=network,
        person=mother,
        address=s.AddressData(address_line_1="1 Test Road", town="Testtown", postcode="ZZ99 1AA"),
        source=MOTHER_SAYS,
    )
    s.residence_create(
        actor=actor, network=network, person=baby, household=home.household, source=MOTHER_SAYS
    )
    s.pr_set(
        actor=actor, network=network, person=mother, child=baby, basis="birth-mother", source=MOTHER_SAYS
    )
    for key, value in (
        ("other-names", "none"),
        ("other-children", "none"),
        ("adult-services", "none known"),
        ("regular-visitors", "her sister, most days"),
    ):
        who = baby if key == "regular-visitors" else mother
        s.fact_set(
            expected_version=None,
            actor=actor,
            network=network,
            person=who,
            key=key,
            value=value,
            source=MOTHER_SAYS,
        )
    father = s.person_add(
        actor=actor,
        network=network,
        data=s.PersonData(given_name="Dan", family_name="Testfather", sex="male", phone="07700 900002"),
        source=MOTHER_SAYS,
        related_to=baby,
        relationship=s.RelationshipData(type="NFTH"),
    )
    s.residence_create(
        actor=actor,
        network=network,
        person=father,
        address=s.AddressData(address_line_1="9 Away Lane", town="Testtown", postcode="ZZ99 2BB"),
        source=MOTHER_SAYS,
    )
    s.care_create(
        actor=actor,
        network=network,
        carer=father,
        child=baby,
        data=s.CareData(place="carer-home", frequency="on Fridays", overnight=True, sleep_place="travel cot"),
        source=MOTHER_SAYS,
    )
    # The mother and father are former partners; she has no current partner.
    s.fact_set(
        expected_version=None,
        actor=actor,
        network=network,
        person=mother,
        key="current-partner",
        value="none",
        source=MOTHER_SAYS,
    )
    network.refresh_from_db()
    return SeedFamily(network, baby, mother, father)


def open_contact_and_decline(client: Any, fam: SeedFamily, by: m.Person) -> tuple[Any, Any, Any]:
    """Start a home visit today through the pages (``client`` signed in), and
    post that ``by`` declined to give the father's date of birth. Returns the
    contact, the gap and the response to the decline."""
    from django.urls import reverse

    from kinmap.gaps import models as gm

    today = date.today()
    client.post(
        reverse("contact-start", args=[fam.network.pk]),
        {"type": "home-visit", "date_0": today.day, "date_1": today.month, "date_2": today.year},
    )
    contact = gm.Contact.objects.get(network=fam.network, status="open")
    gap = gm.Gap.objects.get(key=f"R02-birth-father:person:{fam.father.pk}")
    p = f"g{gap.pk}-"
    response = client.post(
        reverse("contact-gap-outcome", args=[fam.network.pk, contact.pk, gap.pk]),
        {
            p + "outcome": "asked-declined",
            p + "declined_by": by.pk,
            p + "declined_reason": "not today",
            p + "declined_view": "She was tired",
            p + "version": gap.version,
        },
    )
    return contact, gap, response


def father_declines(actor: User, fam: SeedFamily) -> None:
    """The mother declines, once, to say who the baby's birth father is (the
    R02 gap about the father, answered through the service)."""
    from kinmap.gaps import models as gm
    from kinmap.gaps import services as gs

    g = gm.Gap.objects.get(network=fam.network, key=f"R02-birth-father:person:{fam.father.pk}")
    gs.gap_answer(
        actor=actor,
        gap=g,
        answer=gs.Answer(
            state="asked-declined",
            reason="does not want to say",
            practitioner_view="we will ask again",
            declined_by=fam.mother,
        ),
        expected_version=g.version,
    )
