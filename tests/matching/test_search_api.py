"""GET /api/v1/people/search: the search page's answer as data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from tests.conftest import make_user

from .conftest import CANARIES, JORDAN_NHS, Seed, signed_in_as

URL = "/api/v1/people/search"


@pytest.mark.django_db
def test_unseen_networks_are_only_counted(owner: User, seed: Seed) -> None:
    response = signed_in_as(owner).get(URL, {"nhs_number": JORDAN_NHS})
    assert response.status_code == 200
    assert response.json() == {
        "people": [],
        "other_networks": {"count": 1, "agencies": ["Northshire Children's Social Care"]},
    }
    body = response.content.decode()
    for canary in CANARIES:
        assert canary not in body
    assert AuditEvent.objects.filter(action="search", actor=owner).count() == 1


@pytest.mark.django_db
def test_the_allocated_team_gets_the_person(outsider: User, seed: Seed) -> None:
    response = signed_in_as(outsider).get(URL, {"family_name": "Price", "birth_date": "1994-07-03"})
    assert response.status_code == 200
    (person,) = response.json()["people"]
    assert person["id"] == seed.jordan.pk and person["name"] == "Jordan Price"
    assert person["birth_date"] == "1994-03-07"
    assert "date of birth with day and month swapped" in person["reasons"]
    assert person["networks"] == [{"id": seed.social_network.pk, "name": "Family of Skye Price"}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"postcode": ""}, "Enter a family name"),
        ({"given_name": "Jordan"}, "Enter a family name"),
        ({"nhs_number": "123"}, "Enter an NHS number with 10 digits"),
    ],
)
def test_a_search_without_enough_is_a_422_problem(owner: User, params: dict[str, str], detail: str) -> None:
    response = signed_in_as(owner).get(URL, params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert detail in response.json()["detail"]


@pytest.mark.django_db
def test_no_parameter_at_all_finds_nothing_and_audits_nothing(owner: User, seed: Seed) -> None:
    response = signed_in_as(owner).get(URL)
    assert response.status_code == 200
    assert response.json() == {"people": [], "other_networks": {"count": 0, "agencies": []}}
    assert not AuditEvent.objects.filter(action="search").exists()


@pytest.mark.django_db
def test_an_administrator_gets_a_403_problem(social_team: Any) -> None:
    admin = make_user("admin", social_team, Role.ADMINISTRATOR)
    response = signed_in_as(admin).get(URL, {"family_name": "Price"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_not_signed_in_is_a_401_problem(client: Client) -> None:
    assert client.get(URL, {"family_name": "Price"}).status_code == 401
