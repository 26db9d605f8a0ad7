"""Jordan Price, the father known to children's social care (a network the
health visitor may not see), with his older child; the health visitor's own
baby network; and a canary of details that must never reach the health visitor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import PASSWORD

JORDAN_NHS = "9434765919"
JORDAN_PHONE = "07700 900431"
JORDAN_POSTCODE = "NE2 9QT"
JORDAN_STREET = "14 Canary Walk"
# details of social care's network that the health visitor must never see
CANARIES = (JORDAN_NHS, "943 476 5919", JORDAN_PHONE, "07700900431", JORDAN_POSTCODE, JORDAN_STREET,
            "7 March 1994", "1994-03-07", "Skye", "Family of Skye Price")  # fmt: skip


@dataclass
class Seed:
    social_network: m.FamilyNetwork
    jordan: m.Person
    skye: m.Person


@pytest.fixture
def seed(outsider: User) -> Seed:
    return make_seed(outsider)


def make_seed(outsider: User) -> Seed:
    """Social care's family of Skye Price (5), whose birth father Jordan Price
    (born 7 March 1994, NHS number, masked phone and address) is recorded."""
    net = s.network_create(
        actor=outsider,
        child=s.PersonData(given_name="Skye", family_name="Price", sex="female", birth_date=date(2021, 5, 2),
                           birth_date_accuracy="accurate"),
    )  # fmt: skip
    skye = m.NetworkMember.objects.get(network=net).person
    jordan = s.person_add(
        actor=outsider,
        network=net,
        data=s.PersonData(given_name="Jordan", family_name="Price", sex="male", birth_date=date(1994, 3, 7),
                          birth_date_accuracy="accurate", nhs_number=JORDAN_NHS, phone=JORDAN_PHONE,
                          phone_masked=True),
        related_to=skye,
        relationship=s.RelationshipData(type="NFTH"),
    )  # fmt: skip
    s.residence_create(
        actor=outsider,
        network=net,
        person=jordan,
        address=s.AddressData(
            address_line_1=JORDAN_STREET, town="Newcastle", postcode=JORDAN_POSTCODE, masked=True
        ),
    )
    return Seed(net, jordan, skye)


def add_mother(owner: User, network: m.FamilyNetwork) -> m.Person:
    """Mia, the birth mother of the network's baby, added by its health visitor."""
    return s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name="Mia", family_name="Testbaby", sex="female", birth_date=date(1999, 2, 3),
                          birth_date_accuracy="accurate"),
        related_to=m.NetworkMember.objects.get(network=network, is_index=True).person,
        relationship=s.RelationshipData(type="NMTH"),
    )  # fmt: skip


def family_and_contact(client: Client, network: m.FamilyNetwork, contact_id: int) -> dict[str, str]:
    """The family page and a contact page of ``network`` as ``client`` sees them."""
    return {
        "family": client.get(reverse("family", args=[network.pk])).content.decode(),
        "contact": client.get(reverse("contact", args=[network.pk, contact_id])).content.decode(),
    }


def assert_none_in(canaries: tuple[str, ...], pages: dict[str, str]) -> None:
    """No page holds any of ``canaries`` (details the user must never see)."""
    for where, page in pages.items():
        for canary in canaries:
            assert canary not in page, (where, canary)


def signed_in_as(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


CHECK_TOKEN = re.compile(r'<input type="hidden" name="match_check" value="([^"]+)">')


def post_deciding(client: Client, url: str, data: dict[str, str], **decision: str) -> HttpResponse:
    """Send an add-person form as a practitioner does: the form first; if the
    possible matches are shown and ``decision`` is given (``match_decision``,
    ``match_reason``), that page sent back with it, carrying what the page
    carries (every form field and the check's token). Returns the last answer."""
    response = client.post(url, data)
    found = CHECK_TOKEN.search(response.content.decode())
    if not decision or found is None:
        return response
    return client.post(url, {**data, "match_check": found.group(1), **decision})
