"""The API and every form show what the family page shows the same user, and
no more: people of other family networks appear only as a count and the names
of the agencies that know them, unless the user may see those networks."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role
from kinmap.gaps import models as gm
from kinmap.records import models as m

from .shared_world import OTHER_CHILD_NHS, OTHER_MOTHER_ADDRESS, SharedWorld, build_shared_world
from .snapshot import fingerprint

SOCIAL_CARE = "Northshire Children's Social Care"


def _leaks(sw: SharedWorld) -> list[str]:
    """What network B knows that network A's pages must not show to A's users."""
    assert sw.mia.birth_date is not None
    return [
        OTHER_CHILD_NHS,
        "Mia",
        "Othernet",
        OTHER_MOTHER_ADDRESS,
        sw.mia.birth_date.isoformat(),
        sw.mia.birth_date.strftime("%B %Y"),
    ]


def _people_offered(page: str) -> set[int]:
    """The ids a form offers in its drop-down lists of people."""
    return {int(v) for v in re.findall(r'<option value="(\d+)"', page)}


def _households_offered(page: str) -> set[int]:
    inputs = re.findall(r"<input[^>]*>", page)
    return {
        int(re.search(r'value="(\d+)"', i).group(1))  # type: ignore[union-attr]
        for i in inputs
        if 'name="household"' in i and 'type="radio"' in i
    }


def _client(sw: SharedWorld, role: str, cell: str) -> Client:
    client = Client()
    client.force_login(sw.world.user(role, cell))
    return client


@pytest.mark.django_db
def test_the_api_shows_the_family_page_and_no_other_networks_details() -> None:
    sw = build_shared_world()
    a = sw.world.network
    client = _client(sw, Role.PRACTITIONER, "health-allocated")  # sees A only
    response = client.get(reverse("api:family", kwargs={"network_id": a.pk}))
    assert response.status_code == 200
    body, data = response.content.decode(), response.json()
    page = html.unescape(client.get(reverse("family", args=[a.pk])).content.decode())
    for leak in _leaks(sw):
        assert leak not in body, leak
        assert leak not in page, leak

    members = set(m.NetworkMember.objects.filter(network=a).values_list("person_id", flat=True))
    index = {sw.world.child.pk}
    assert {p["id"] for p in data["people"]} == members
    assert {int(i) for i in re.findall(r'data-person="(\d+)"', page)} | index == members
    assert sw.dan_to_mia.pk not in {r["id"] for r in data["relationships"]}
    assert sw.other_ids["household_id"] not in {h["id"] for h in data["households"]}
    assert {pid for h in data["households"] for pid in h["residents"]} <= members

    # Mia, Rowan's half-sister, is in a network this user may not see: a count and who to ask
    (rowan,) = data["relatives_in_other_networks"]
    assert rowan == {
        "child": sw.world.child.pk,
        "people": [],
        "hidden_count": 1,
        "hidden_agencies": [SOCIAL_CARE],
    }
    hidden = "1 person related to Rowan is recorded only in family networks you cannot see"
    assert f"{hidden}, known to {SOCIAL_CARE}." in page
    # Dan is in both networks: that is said, and no more
    dan = next(p for p in data["people"] if p["id"] == sw.world.father.pk)
    assert dan["other_networks"] == {"count": 1, "agencies": [SOCIAL_CARE]}
    assert f"Also recorded in 1 other family network, known to {SOCIAL_CARE}" in page


@pytest.mark.django_db
def test_a_user_who_may_see_the_other_network_sees_the_relative() -> None:
    sw = build_shared_world()
    a = sw.world.network
    client = _client(sw, Role.PRACTITIONER, "social-allocated")  # sees A and B
    data = client.get(reverse("api:family", kwargs={"network_id": a.pk})).json()
    (rowan,) = data["relatives_in_other_networks"]
    assert [p["name"] for p in rowan["people"]] == ["Mia Othernet"]
    assert rowan["hidden_count"] == 0
    page = client.get(reverse("family", args=[a.pk])).content.decode()
    assert "Mia Othernet" in page
    # still not her details: the relative's NHS number stays in her own network
    assert OTHER_CHILD_NHS not in page


@pytest.mark.django_db
def test_the_forms_offer_only_this_networks_people_and_households() -> None:
    sw = build_shared_world()
    a = sw.world.network
    client = _client(sw, Role.PRACTITIONER, "health-allocated")
    other_household = sw.other_ids["household_id"]
    members = set(m.NetworkMember.objects.filter(network=a).values_list("person_id", flat=True))
    own_households = set(
        m.Residence.objects.filter(person_id__in=members).values_list("household_id", flat=True)
    )
    forms = {
        "residence-add": reverse("residence-add", args=[a.pk]),
        "relationship-add": reverse("relationship-add", args=[a.pk]),
        "relationship-edit": reverse("relationship-edit", args=[a.pk, sw.world.relationship.pk]),
        "care-add": reverse("care-add", args=[a.pk]),
        "pr-add": reverse("pr-add", args=[a.pk]),
        "person-add": reverse("person-add", args=[a.pk]),
    }
    for name, url in forms.items():
        page = html.unescape(client.get(url).content.decode())
        for leak in _leaks(sw):
            assert leak not in page, (name, leak)
        assert _people_offered(page) <= members, name
    offered = _households_offered(client.get(forms["residence-add"]).content.decode())
    assert other_household not in offered
    assert offered == own_households | {0}  # and "a new address"

    # choosing the other network's household anyway is refused, and nothing is saved
    before = {k: v for k, v in fingerprint().items() if k != "audit"}
    response = client.post(
        forms["residence-add"], {"person": sw.world.father.pk, "household": other_household}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in html.unescape(response.content.decode())
    assert {k: v for k, v in fingerprint().items() if k != "audit"} == before
    assert not m.Residence.objects.filter(person=sw.world.father, household_id=other_household).exists()


@pytest.mark.django_db
def test_a_contact_cannot_confirm_another_networks_household() -> None:
    sw = build_shared_world()
    a = sw.world.network
    client = _client(sw, Role.PRACTITIONER, "health-allocated")
    contact = sw.world.extra["contact"]
    assert isinstance(contact, gm.Contact)
    url = reverse("contact-household", args=[a.pk, contact.pk, sw.other_ids["household_id"]])
    before = fingerprint()
    assert client.post(url, {"outcome": "no-change"}).status_code == 404
    assert fingerprint() == before


@pytest.mark.django_db
def test_the_person_page_says_no_more_of_a_relative_in_another_network_than_the_family_page() -> None:
    """Dan's page in A, for a user who sees A only: his relationship to Mia (B
    only) is said, but not when it began or ended, nor who said it and who
    recorded it in B."""
    sw = build_shared_world()
    a = sw.world.network
    said_by = "ODETTE-SAID-4K2W"
    began = date(2019, 3, 17)
    rel = m.Relationship.objects.filter(pk=sw.dan_to_mia.pk)
    rel.update(source="said-by", source_detail=said_by, start=began)
    client = _client(sw, Role.PRACTITIONER, "health-allocated")
    page = html.unescape(client.get(reverse("person", args=[a.pk, sw.world.father.pk])).content.decode())
    assert "someone recorded in another family network" in page
    for leak in [*_leaks(sw), said_by, "17 March 2019", "March 2019", "2019"]:
        assert leak not in page, leak
