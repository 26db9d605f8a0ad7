"""The search page: access, the hard cases, audit, validation, query counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinmap.accounts.models import Role, User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import make_user

from .conftest import CANARIES, JORDAN_NHS, Seed, signed_in_as

URL = reverse("person-search")


def _search(user: User, **params: str) -> str:
    response = signed_in_as(user).get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_empty_page_asks_what_to_search_for(owner: User) -> None:
    page = _search(owner)
    assert "Find a person" in page
    assert "What we found" not in page and "No one found" not in page
    assert not AuditEvent.objects.filter(action="search").exists()


@pytest.mark.django_db
def test_a_given_name_alone_is_refused_with_an_error_summary(owner: User) -> None:
    page = _search(owner, given_name="Jordan")
    assert "govuk-error-summary" in page
    assert "Enter a family name, a date of birth, an NHS number, a postcode or a phone number" in page
    assert not AuditEvent.objects.filter(action="search").exists()


@pytest.mark.django_db
def test_a_bad_nhs_number_is_refused(owner: User) -> None:
    page = _search(owner, nhs_number="943 476 5918")
    assert "the check digit does not match" in page


@pytest.mark.django_db
def test_nothing_found_says_so(owner: User, seed: Seed) -> None:
    page = _search(owner, family_name="Okonkwo")
    assert "No one found" in page


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"postcode": "ne2 9qt"}, {"phone": "+44 7700 900431"}])
def test_a_masked_postcode_or_phone_alone_finds_no_one_for_a_user_not_entitled(
    owner: User, seed: Seed, params: dict[str, str]
) -> None:
    # Jordan's address and telephone number are masked: the search must not confirm them
    page = _search(owner, **params)
    assert "No one found" in page and "known in" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"given_name": "Jordan", "family_name": "Price"},
        {"given_name": "jordan", "family_name": "PRICE"},
        {"given_name": "Jordon", "family_name": "Pryce"},
        {"nhs_number": JORDAN_NHS},
        {"birth_date_0": "7", "birth_date_1": "3", "birth_date_2": "1994"},
        {"family_name": "Price", "birth_date_0": "3", "birth_date_1": "7", "birth_date_2": "1994"},
    ],
)
def test_someone_in_a_network_the_user_cannot_see_is_only_counted(
    owner: User, seed: Seed, params: dict[str, str]
) -> None:
    page = _search(owner, **params)
    assert "known in 1 family network you cannot see, held by Northshire Children&#x27;s Social Care" in page
    results = page.split('id="results"', 1)[1]
    typed = " ".join(params.values())
    for canary in CANARIES:
        assert canary not in results, canary
        assert canary in typed or canary not in page, canary
    assert "Jordan" not in results
    assert f"?network={seed.social_network.pk}" in page  # emergency access


@pytest.mark.django_db
def test_the_allocated_team_sees_the_person_and_their_family(outsider: User, seed: Seed) -> None:
    page = _search(outsider, given_name="Jordan", family_name="Price")
    assert "Jordan Price" in page
    assert "7 March 1994" in page
    assert reverse("person", args=[seed.social_network.pk, seed.jordan.pk]) in page
    assert "Same name" in page
    assert "cannot see" not in page


@pytest.mark.django_db
def test_a_person_in_both_networks_shows_the_other_only_as_a_count(
    owner: User, outsider: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    m.NetworkMember.objects.create(network=baby_network, person=seed.jordan)
    page = _search(owner, family_name="Price", birth_date_0="7", birth_date_1="3", birth_date_2="1994")
    assert "Jordan Price" in page
    assert "Also known in 1 other family network, held by Northshire Children&#x27;s Social Care." in page
    assert "Family of Skye Price" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.INFORMATION_OFFICER, Role.AUDITOR])
def test_information_officers_and_auditors_may_search_and_see_counts(
    social_team: Any, seed: Seed, role: str
) -> None:
    user = make_user(f"user-{role}", social_team, role)
    page = _search(user, nhs_number=JORDAN_NHS)
    assert "known in 1 family network you cannot see" in page
    assert "emergency access" not in page
    results = page.split('id="results"', 1)[1]
    for canary in CANARIES:
        assert canary not in results


@pytest.mark.django_db
def test_an_administrator_may_not_search(social_team: Any) -> None:
    admin = make_user("admin", social_team, Role.ADMINISTRATOR)
    assert signed_in_as(admin).get(URL, {"family_name": "Price"}).status_code == 403


@pytest.mark.django_db
def test_every_search_is_audited_with_what_and_how_many(owner: User, outsider: User, seed: Seed) -> None:
    _search(outsider, given_name="Jordan", family_name="Price")
    _search(owner, family_name="Price")
    first, second = AuditEvent.objects.filter(action="search").order_by("id")
    assert first.actor == outsider
    assert first.changes["searched"] == {"given_name": "Jordan", "family_name": "Price"}
    assert first.changes["results"] == 1
    assert second.actor == owner
    assert second.changes["results"] == 0
    assert second.changes["other_networks"] == 1


@pytest.mark.django_db
def test_accents_previous_names_swapped_names_and_swapped_dates_are_found(outsider: User, seed: Seed) -> None:
    net = seed.social_network
    zoe = s.person_add(
        actor=outsider,
        network=net,
        data=s.PersonData(given_name="Zoë", family_name="Okafor", birth_date=date(1996, 4, 3),
                          birth_date_accuracy="accurate"),
    )  # fmt: skip
    s.other_name_add(
        actor=outsider, network=net, person=zoe, kind="previous", given_name="Zoë", family_name="Bell"
    )
    assert "Zoë Okafor" in _search(outsider, given_name="Zoe", family_name="Okafor")
    assert "Zoë Okafor" in _search(outsider, given_name="Zoe", family_name="Bell")
    assert "Zoë Okafor" in _search(outsider, given_name="Okafor", family_name="Zoe")
    swapped = _search(outsider, family_name="Okafor", birth_date_0="4", birth_date_1="3", birth_date_2="1996")
    assert "Zoë Okafor" in swapped
    assert "Same family name, date of birth with day and month swapped" in swapped
    wrong_year = _search(
        outsider, family_name="Okafor", birth_date_0="3", birth_date_1="4", birth_date_2="1999"
    )
    assert "Zoë Okafor" not in wrong_year
    estimated = _search(
        outsider,
        family_name="Okafor",
        birth_date_0="1",
        birth_date_1="1",
        birth_date_2="1997",
        birth_date_estimated="on",
    )
    assert "Zoë Okafor" in estimated


def _queries(user: User, params: dict[str, str]) -> int:
    client = signed_in_as(user)
    client.get(URL, params)  # sessions and the like warmed
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_search_page_takes_the_same_number_of_queries_whatever_it_finds(
    outsider: User, seed: Seed
) -> None:
    params = {"family_name": "Price"}
    one = _queries(outsider, params)
    for i in range(6):
        s.person_add(
            actor=outsider,
            network=seed.social_network,
            data=s.PersonData(given_name=f"Child{chr(65 + i)}", family_name="Price"),
        )
    many = _queries(outsider, params)
    assert "ChildF Price" in _search(outsider, **params)
    assert one == many
