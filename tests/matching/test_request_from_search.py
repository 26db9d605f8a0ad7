"""A match in a network the user may not see: besides emergency access, search
offers an information request to the agency holding it, prefilled with that
agency and an opaque reference to the match, never who they are."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.sharing.models import InformationRequest
from tests.conftest import make_user

from .conftest import CANARIES, Seed, signed_in_as

SEARCH = {"given_name": "Jordan", "family_name": "Price", "birth_date_0": "7", "birth_date_1": "3",
          "birth_date_2": "1994"}  # fmt: skip
ASK = re.compile(r'href="/requests/ask/([A-Za-z0-9_-]+)/"')


def _partner(owner: User, network: m.FamilyNetwork) -> m.Person:
    """The mother's partner as the health visitor has him: a name only."""
    return s.person_add(
        actor=owner, network=network, data=s.PersonData(given_name="Jordan", family_name="Pryce")
    )


def _search(client: Client) -> tuple[str, str]:
    page = client.get(reverse("person-search"), SEARCH).content.decode()
    tokens = ASK.findall(page)
    assert len(tokens) == 1, page
    return page, tokens[0]


def _posted(about: str, agency: Agency, purpose: str = "Who else lives there") -> dict[str, str]:
    return {
        "about": about,
        "what": "fact:other-children",
        "to_agency": str(agency.pk),
        "lawful_basis": "safeguarding",
        "purpose": purpose,
        "urgency": "standard",
    }


def _no_canaries(page: str, typed: str = "") -> None:
    for canary in CANARIES:
        assert canary in typed or canary not in page, canary


@pytest.mark.django_db
def test_the_prefilled_request_reveals_nothing_and_reaches_the_holding_agency(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork, social_team: Team
) -> None:
    officer = make_user("sc.officer", social_team, Role.INFORMATION_OFFICER)
    partner = _partner(owner, baby_network)
    client = signed_in_as(owner)
    page, token = _search(client)
    results = page.split('id="results"', 1)[1]
    assert "Ask Northshire Children&#x27;s Social Care about the person found" in results
    assert token != str(seed.jordan.pk) and len(token) == 12  # an opaque reference, not the record's id
    _no_canaries(results)

    form_page = client.get(reverse("request-from-search", args=[token])).content.decode()
    # the holding agency, and only it, prefilled; the user's own people to choose from
    assert re.search(
        r'<option value="\d+" selected>Northshire Children&#x27;s Social Care</option>', form_page
    )
    assert "Northshire Community Health</option>" not in form_page
    assert f'value="{baby_network.pk}:{partner.pk}"' in form_page
    assert "Jordan Price" not in form_page  # the record found stays unnamed
    _no_canaries(form_page)

    agency = social_team.agency
    response = client.post(
        reverse("request-from-search", args=[token]),
        _posted(f"{baby_network.pk}:{partner.pk}", agency, purpose="Mother's new partner stays overnight"),
    )
    assert response.status_code == 302
    req = InformationRequest.objects.get()
    assert (req.network, req.person, req.to_agency, req.matched_person) == (
        baby_network,
        partner,
        agency,
        seed.jordan,
    )
    # the asker's own list names their own record only
    listed = client.get(reverse("network-requests", args=[baby_network.pk])).content.decode()
    assert "Jordan Pryce" in listed and "Jordan Price" not in listed
    _no_canaries(listed)
    # the holding agency's officer is told which of their records was found
    detail = signed_in_as(officer).get(reverse("request-detail", args=[req.pk])).content.decode()
    assert "Found by their search" in detail and "Jordan Price" in detail and "7 March 1994" in detail


@pytest.mark.django_db
def test_a_token_not_of_the_users_last_search_is_not_found(
    owner: User, teammate: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    _partner(owner, baby_network)
    _, token = _search(signed_in_as(owner))
    assert signed_in_as(teammate).get(reverse("request-from-search", args=[token])).status_code == 404
    assert signed_in_as(owner).get(reverse("request-from-search", args=["madeup123"])).status_code == 404


@pytest.mark.django_db
def test_the_request_goes_only_to_an_agency_holding_the_match(
    owner: User, seed: Seed, baby_network: m.FamilyNetwork
) -> None:
    partner = _partner(owner, baby_network)
    client = signed_in_as(owner)
    _, token = _search(client)
    police = Agency.objects.create(name="Northshire Police", kind="police")
    response = client.post(
        reverse("request-from-search", args=[token]),
        _posted(f"{baby_network.pk}:{partner.pk}", police),
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not InformationRequest.objects.exists()


@pytest.mark.django_db
def test_someone_outside_the_users_families_cannot_be_chosen(
    owner: User, outsider: User, seed: Seed, baby_network: m.FamilyNetwork, social_team: Team
) -> None:
    _partner(owner, baby_network)
    client = signed_in_as(owner)
    _, token = _search(client)
    response = client.post(
        reverse("request-from-search", args=[token]),
        _posted(f"{seed.social_network.pk}:{seed.skye.pk}", social_team.agency),
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not InformationRequest.objects.exists()
