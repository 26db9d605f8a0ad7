"""Adding a person records where they live (with the child, or at an address
given there and then) and the other names they have been known by, in the one
submission; "where someone lives" records several people at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.records import models as m
from tests.conftest import PASSWORD
from tests.gaps.family import SeedFamily, seed_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    assert client.login(username=owner.username, password=PASSWORD)
    return client


@pytest.fixture
def fam(owner: User) -> SeedFamily:
    return seed_family(owner)


def _add(client: Client, fam: SeedFamily, **posted: Any) -> Any:
    return client.post(
        reverse("person-add", args=[fam.network.pk]),
        {
            "given_name": "Nan",
            "family_name": "Testgran",
            "sex": "female",
            "birth_date_accuracy": "unknown",
            "relationship": "GRPRN",
            "related_to": fam.baby.pk,
            "source": "said-by",
            "source_detail": "the mother",
            **posted,
        },
    )


def _home(person: m.Person) -> m.Household | None:
    res = m.Residence.objects.filter(person=person, end__isnull=True).select_related("household").first()
    return res.household if res else None


def test_a_person_added_as_living_with_the_child_lives_in_the_childs_household(
    signed_in: Client, fam: SeedFamily
) -> None:
    response = _add(signed_in, fam, lives="with-child", other_names="Nancy Oldname\nNan")
    assert response.status_code == 302, response.content.decode()
    nan = m.Person.objects.get(given_name="Nan")
    assert _home(nan) is not None and _home(nan) == _home(fam.baby)
    names = {(o.kind, o.given_name, o.family_name) for o in nan.other_names.all()}
    assert names == {("previous", "Nancy", "Oldname"), ("previous", "Nan", "")}


def test_a_person_added_with_an_address_gets_a_new_household(signed_in: Client, fam: SeedFamily) -> None:
    before = m.Household.objects.count()
    response = _add(
        signed_in,
        fam,
        lives="elsewhere",
        address_line_1="3 Granary Row",
        town="Northtown",
        postcode="ZZ99 3CC",
        other_names="Nan Alias",
        other_names_kind="alias",
    )
    assert response.status_code == 302, response.content.decode()
    nan = m.Person.objects.get(given_name="Nan")
    home = _home(nan)
    assert home is not None and home.postcode == "ZZ99 3CC" and home != _home(fam.baby)
    assert m.Household.objects.count() == before + 1
    assert [(o.kind, o.given_name) for o in nan.other_names.all()] == [("alias", "Nan")]


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"lives": "elsewhere"}, "address_line_1", "Enter the first line of the address or the postcode"),
        (
            {"lives": "elsewhere", "address_line_1": "1 Road", "postcode": "NOT A CODE"},
            "postcode",
            "real postcode",
        ),
        ({"other_names": "Ann \u202eTest"}, "other_names", "Other name \u2018Ann \u202eTest\u2019"),
    ],
)
def test_a_bad_address_or_other_name_is_shown_against_its_field_and_nothing_is_saved(
    signed_in: Client, fam: SeedFamily, posted: dict[str, str], field: str, message: str
) -> None:
    people, households = m.Person.objects.count(), m.Household.objects.count()
    response = _add(signed_in, fam, **posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html and message in html
    assert "There is a problem" in html
    assert (m.Person.objects.count(), m.Household.objects.count()) == (people, households)


def test_where_people_live_records_several_people_in_one_submission(
    signed_in: Client, fam: SeedFamily
) -> None:
    for name in ("Nan", "Pop"):
        assert _add(signed_in, fam, given_name=name).status_code == 302  # where they live: not known yet
    nan, pop = m.Person.objects.get(given_name="Nan"), m.Person.objects.get(given_name="Pop")
    assert _home(nan) is None and _home(pop) is None
    url = reverse("residence-add", args=[fam.network.pk])
    html = signed_in.get(url).content.decode()
    assert 'class="govuk-checkboxes__input"' in html and 'name="person"' in html
    response = signed_in.post(
        url,
        {
            "person": [nan.pk, pop.pk],
            "household": 0,
            "address_line_1": "12 Shared Street",
            "town": "Northtown",
            "postcode": "ZZ99 4DD",
            "source": "said-by",
            "source_detail": "the mother",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert _home(nan) == _home(pop)
    home = _home(nan)
    assert home is not None and home.address_line_1 == "12 Shared Street"
    # choosing nobody is refused, naming the field
    response = signed_in.post(url, {"household": home.pk, "source": "said-by", "source_detail": "x"})
    assert response.status_code == 200 and "Choose who lives there" in response.content.decode()
