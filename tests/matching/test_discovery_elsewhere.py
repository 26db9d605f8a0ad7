"""A mother's partner, or a carer, who is the same person as a parent in
another family network: the family page and the contact say so, naming only
the person and the agencies holding the other network, and requirement 8 asks
about their other children until they are recorded here or why not."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.gaps import services as gs
from kinmap.matching.services import person_link
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import index_child

from .conftest import CANARIES, Seed, add_mother, assert_none_in, family_and_contact, signed_in_as

SAID = (
    "Jordan Price is recorded as the parent of a child in another family network, "
    "held by Northshire Children&#x27;s Social Care."
)
PROMPT = "Jordan Price is recorded as the parent of a child in another family network: add the child"
ASKED = "Not recorded whether Jordan Price has other children"


def _pages(owner: User, network: m.FamilyNetwork) -> dict[str, str]:
    contact = gs.contact_open(actor=owner, network=network, type="home-visit", date=date.today())
    return family_and_contact(signed_in_as(owner), network, contact.pk)


def _no_canaries(pages: dict[str, str]) -> None:
    assert_none_in(CANARIES, pages)


@pytest.mark.django_db
def test_a_mothers_partner_known_as_a_parent_elsewhere(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    mia = add_mother(owner, baby_network)
    person_link(actor=owner, network=baby_network, person=seed.jordan, related_to=mia,
                relationship=s.RelationshipData(type="SIGOTHR"))  # fmt: skip
    pages = _pages(owner, baby_network)
    for where, page in pages.items():
        assert SAID in page, where
        assert PROMPT in page, where
    _no_canaries(pages)


@pytest.mark.django_db
def test_a_carer_known_as_a_parent_elsewhere(owner: User, seed: Seed, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    person_link(actor=owner, network=baby_network, person=seed.jordan)
    s.care_create(actor=owner, network=baby_network, carer=seed.jordan, child=baby,
                  data=s.CareData(place="carer-home", frequency="Saturdays", overnight=True))  # fmt: skip
    pages = _pages(owner, baby_network)
    for where, page in pages.items():
        assert SAID in page, where
        assert PROMPT in page, where
    _no_canaries(pages)
    # recording why not (their other children in words) satisfies it
    s.fact_set(actor=owner, network=baby_network, person=seed.jordan, key="other-children",
               value="A daughter, lives with her mother", expected_version=None)  # fmt: skip
    assert PROMPT not in signed_in_as(owner).get(reverse("family", args=[baby_network.pk])).content.decode()


@pytest.mark.django_db
def test_a_carer_known_nowhere_else_is_not_asked_about_other_children(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    born = date(1960, 1, 1)
    nan = s.person_add(actor=owner, network=baby_network,
                       data=s.PersonData(given_name="Jordan", family_name="Price", birth_date=born,
                                         birth_date_accuracy="accurate"))  # fmt: skip
    s.care_create(actor=owner, network=baby_network, carer=nan, child=baby,
                  data=s.CareData(place="carer-home", frequency="Saturdays"))  # fmt: skip
    pages = _pages(owner, baby_network)
    for where, page in pages.items():
        assert "another family network" not in page, where
        assert ASKED not in page, where
