"""A second mother or two fathers through the services, the pages and the family file."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from tests.conftest import PASSWORD, index_child
from tests.records.test_family_file import wipe_family_records
from tests.records.test_services_validation import refused

pytestmark = pytest.mark.django_db


def _mothers(owner: User, network: m.FamilyNetwork) -> tuple[m.Person, m.Person]:
    people = [
        s.person_add(
            actor=owner, network=network, data=s.PersonData(given_name=g, family_name="Testmum", sex="female")
        )
        for g in ("Cass", "Jo")
    ]
    return people[0], people[1]


def test_a_legal_parent_without_a_basis_is_refused_and_nothing_saved(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    _, jo = _mothers(owner, baby_network)
    messages = refused(
        s.relationship_create,
        actor=owner,
        network=baby_network,
        from_person=jo,
        to_person=index_child(baby_network),
        data=s.RelationshipData("PRN"),
    )
    assert len(messages) == 1 and messages[0].startswith("Choose how they are the child's legal parent")


def test_a_second_mother_is_shown_in_words_on_the_family_page(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    cass, jo = _mothers(owner, baby_network)
    baby = index_child(baby_network)
    s.relationship_create(
        actor=owner, network=baby_network, from_person=cass, to_person=baby, data=s.RelationshipData("NMTH")
    )
    client.login(username=owner.username, password=PASSWORD)
    response = client.post(
        reverse("relationship-add", args=[baby_network.pk]),
        {
            "from_person": jo.pk,
            "type": "PRN",
            "to_person": baby.pk,
            "legal_basis": "marriage",
            "source": "said-by",
            "source_detail": "Cass",
        },
    )
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    assert "Cass Testmum is the birth mother of Rowan Testbaby" in page
    assert (
        "Jo Testmum is a legal parent of Rowan Testbaby (married to or in a civil partnership with the "
        "birth mother when the child was conceived)"
    ) in page


def test_legal_parenthood_round_trips_through_the_family_file(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    cass, jo = _mothers(owner, baby_network)
    baby = index_child(baby_network)
    for who, data in (
        (cass, s.RelationshipData("NMTH")),
        (jo, s.RelationshipData("PRN", legal_basis="agreement")),
    ):
        s.relationship_create(actor=owner, network=baby_network, from_person=who, to_person=baby, data=data)
    first = family_file_export([baby_network]).text
    assert [(r["type"], r["legal_basis"]) for r in json.loads(first)["relationships"]] == [
        ("NMTH", ""),
        ("PRN", "agreement"),
    ]
    wipe_family_records()
    networks = family_file_import(
        family_file=family_file_read(first), actor=None, file_name="t.json"
    ).networks
    assert family_file_export(networks).text == first
