"""Who is offered as the person who declined, and who as a carer: people who
can speak for themselves, not the nine-week-old baby or a seven-year-old."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.gaps import models as gm
from kinmap.records import models as rm
from kinmap.records import services as s
from tests.conftest import PASSWORD
from tests.gaps.family import SeedFamily, open_contact_and_decline, seed_family

pytestmark = pytest.mark.django_db


def _child(owner: User, fam: SeedFamily, given: str, years: int) -> rm.Person:
    return s.person_add(
        actor=owner,
        network=fam.network,
        data=s.PersonData(
            given_name=given,
            family_name="Testbaby",
            sex="female",
            birth_date=date.today() - timedelta(days=365 * years + 30),
            birth_date_accuracy="accurate",
        ),
        related_to=fam.baby,
        relationship=s.RelationshipData(type="HSIB"),
    )


@pytest.fixture
def family(owner: User) -> tuple[SeedFamily, rm.Person, rm.Person]:
    fam = seed_family(owner)
    return fam, _child(owner, fam, "Sevenyear", 7), _child(owner, fam, "Teenager", 14)


def _options(html: str, name: str) -> set[int]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(1))}


def test_the_decliners_offered_can_speak_for_themselves(
    client: Client, owner: User, family: tuple[SeedFamily, rm.Person, rm.Person]
) -> None:
    fam, seven, teen = family
    assert client.login(username=owner.username, password=PASSWORD)
    contact, gap, response = open_contact_and_decline(client, fam, fam.baby)
    # the baby cannot be sent as the decliner: refused, nothing saved
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert gm.Gap.objects.get(pk=gap.pk).state == "not-asked"
    html = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    offered = _options(html, f"g{gap.pk}-declined_by")
    assert {fam.mother.pk, fam.father.pk, teen.pk} <= offered
    assert fam.baby.pk not in offered and seven.pk not in offered


def test_the_carers_offered_exclude_the_baby_and_young_children(
    client: Client, owner: User, family: tuple[SeedFamily, rm.Person, rm.Person]
) -> None:
    fam, seven, teen = family
    assert client.login(username=owner.username, password=PASSWORD)
    html = client.get(reverse("care-add", args=[fam.network.pk])).content.decode()
    offered = _options(html, "carer")
    assert {fam.mother.pk, fam.father.pk} <= offered
    assert fam.baby.pk not in offered and seven.pk not in offered and teen.pk not in offered
    # a child under 16 already recorded as a carer is still offered
    s.care_create(
        actor=owner, network=fam.network, carer=teen, child=fam.baby, data=s.CareData(place="child-home")
    )
    html = client.get(reverse("care-add", args=[fam.network.pk])).content.decode()
    assert teen.pk in _options(html, "carer")
