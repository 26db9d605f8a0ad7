"""The last exact-only dates take their accuracy (issue 10): the add-person
page's "Relationship started", the start-a-family page's date of birth
(before, after and between too) and care orders (form, service, both loaders,
page words and the family file). Accepted, or refused with a GOV.UK error
summary and nothing saved."""

from __future__ import annotations

import html as htmllib
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.core.vocab import DateAccuracy
from kinmap.records import models as m
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from kinmap.records.graph_load import family_networks_load
from kinmap.records.selectors import family_record_load
from tests.conftest import PASSWORD, index_child
from tests.records.test_family_file import wipe_family_records

pytestmark = pytest.mark.django_db

LA = "Testham City Council"


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    assert client.login(username=owner.username, password=PASSWORD)
    return client


def _text(response: Any) -> str:
    return htmllib.unescape(response.content.decode())


def _day(name: str, day: date | None, *, year_only: bool = False) -> dict[str, Any]:
    if day is None:
        return {}
    return {
        f"{name}_0": "" if year_only else day.day,
        f"{name}_1": "" if year_only else day.month,
        f"{name}_2": day.year,
    }


# -- 1. add a person: "Relationship started" --------------------------------------


def _add(client: Client, network: m.FamilyNetwork, **posted: Any) -> Any:
    return client.post(
        reverse("person-add", args=[network.pk]),
        {
            "given_name": "Nan",
            "family_name": "Testgran",
            "sex": "female",
            "birth_date_accuracy": "unknown",
            "relationship": "GRPRN",
            "related_to": index_child(network).pk,
            "source": "said-by",
            "source_detail": "the mother",
            **posted,
        },
    )


def test_the_add_person_page_takes_a_relationship_start_between_two_dates(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    page = _text(signed_in.get(reverse("person-add", args=[baby_network.pk])))
    assert "How well is the start of the relationship known?" in page
    first, second = date(2024, 1, 1), date(2024, 6, 30)
    response = _add(
        signed_in,
        baby_network,
        **_day("rel_start", first),
        rel_start_accuracy="between",
        **_day("rel_start_latest", second),
    )
    assert response.status_code == 302, response.content.decode()
    rel = m.Relationship.objects.get(from_person__given_name="Nan")
    assert (rel.start, rel.start_accuracy, rel.start_latest) == (first, "between", second)


def test_the_add_person_page_keeps_a_year_only_relationship_start_as_its_first_day(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    response = _add(
        signed_in,
        baby_network,
        **_day("rel_start", date(2023, 5, 5), year_only=True),
        rel_start_accuracy="year",
    )
    assert response.status_code == 302, response.content.decode()
    rel = m.Relationship.objects.get(from_person__given_name="Nan")
    assert (rel.start, rel.start_accuracy, rel.start_latest) == (date(2023, 1, 1), "year", None)


def test_the_add_person_page_refuses_a_between_start_without_its_second_date(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    people = m.Person.objects.count()
    response = _add(
        signed_in, baby_network, **_day("rel_start", date(2024, 1, 1)), rel_start_accuracy="between"
    )
    page = _text(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "The relationship start date: enter the second date, for 'between'" in page
    assert m.Person.objects.count() == people


def test_the_add_person_page_refuses_an_exact_start_with_no_day(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    people = m.Person.objects.count()
    response = _add(signed_in, baby_network, **_day("rel_start", date(2023, 5, 5), year_only=True))
    page = _text(response)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "The relationship start date must include a day, or choose 'Year only'" in page
    assert m.Person.objects.count() == people


# -- 2. start a family: the index child's date of birth -----------------------------

CHILD = {"given_name": "Zephyrine", "family_name": "Testdateform", "sex": "female"}


def test_the_start_page_offers_every_accuracy_and_the_second_date(signed_in: Client) -> None:
    page = _text(signed_in.get(reverse("network-start")))
    for words in (
        "Born: born before the date given",
        "Born: born after the date given",
        "Born: born between two dates (give the second date too)",
        "Not born yet: this is the expected date",
    ):
        assert words in page
    assert 'name="birth_date_latest_2"' in page


@pytest.mark.parametrize(
    ("accuracy", "latest"),
    [("before", None), ("after", None), ("between", date(2021, 9, 30))],
)
def test_the_start_page_records_a_birth_before_after_or_between(
    signed_in: Client, accuracy: str, latest: date | None
) -> None:
    born = date(2021, 6, 1)
    response = signed_in.post(
        reverse("network-start"),
        {
            **CHILD,
            **_day("birth_date", born),
            "birth_date_accuracy": accuracy,
            **_day("birth_date_latest", latest),
        },
    )
    assert response.status_code == 302, response.content.decode()
    child = m.Person.objects.get(given_name="Zephyrine")
    assert (child.birth_date, child.birth_date_accuracy, child.birth_date_latest) == (born, accuracy, latest)


def test_the_start_page_refuses_a_second_date_before_the_first(signed_in: Client) -> None:
    networks = m.FamilyNetwork.objects.count()
    response = signed_in.post(
        reverse("network-start"),
        {
            **CHILD,
            **_day("birth_date", date(2021, 6, 1)),
            "birth_date_accuracy": "between",
            **_day("birth_date_latest", date(2021, 1, 1)),
        },
    )
    page = _text(response)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Date of birth: the second date must be after the first" in page
    assert m.FamilyNetwork.objects.count() == networks
    assert not m.Person.objects.filter(given_name="Zephyrine").exists()


# -- 3. care orders ------------------------------------------------------------------


def _order_post(client: Client, network: m.FamilyNetwork, **posted: Any) -> Any:
    return client.post(
        reverse("care-order-add", args=[network.pk]),
        {
            "child": index_child(network).pk,
            "local_authority": LA,
            "source": "other-agency",
            "source_detail": "children's services",
            **posted,
        },
    )


def test_the_care_order_form_records_a_rough_date_and_the_page_says_it(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    made = baby.birth_date + timedelta(days=3)
    ended_by = baby.birth_date + timedelta(days=40)
    response = _order_post(
        signed_in,
        baby_network,
        **_day("start", made),
        start_accuracy="after",
        **_day("end", ended_by),
        end_accuracy="before",
    )
    assert response.status_code == 302, response.content.decode()
    order = m.ParentalResponsibility.objects.get(person__isnull=True)
    assert (order.start, order.start_accuracy, order.end, order.end_accuracy) == (
        made,
        "after",
        ended_by,
        "before",
    )
    # both loaders carry the accuracy, and agree
    full = family_record_load(baby_network).graph_network.care_orders
    lean = family_networks_load([baby_network])[0].graph_network.care_orders
    assert full == lean
    assert [(o.start_accuracy, o.end_accuracy) for o in full] == [(DateAccuracy.AFTER, DateAccuracy.BEFORE)]
    page = _text(signed_in.get(reverse("family", args=[baby_network.pk])))
    assert f"After {made.day} {made:%B %Y} to before {ended_by.day} {ended_by:%B %Y}" in page
    # the change form shows it back
    edit = _text(signed_in.get(reverse("care-order-edit", args=[baby_network.pk, order.pk])))
    assert '<option value="after" selected>' in edit


def test_the_care_order_form_refuses_an_end_before_the_start_under_every_reading(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    made = baby.birth_date + timedelta(days=30)
    response = _order_post(
        signed_in,
        baby_network,
        **_day("start", made),
        start_accuracy="after",
        **_day("end", made),
        end_accuracy="before",
    )
    page = _text(response)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "The care order must end after the day it was made" in page
    assert not m.ParentalResponsibility.objects.filter(person__isnull=True).exists()


def test_a_care_order_made_about_a_date_before_the_birth_is_accepted_but_not_surely_before(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    before_birth = baby.birth_date - timedelta(days=5)
    exact = _order_post(signed_in, baby_network, **_day("start", before_birth))
    assert exact.status_code == 200 and "govuk-error-summary" in _text(exact)
    assert "The care order must be made on or after the child's date of birth" in _text(exact)
    assert not m.ParentalResponsibility.objects.filter(person__isnull=True).exists()
    about = _order_post(signed_in, baby_network, **_day("start", before_birth), start_accuracy="estimated")
    assert about.status_code == 302, about.content.decode()
    assert m.ParentalResponsibility.objects.get(person__isnull=True).start_accuracy == "estimated"


def test_a_care_order_with_a_rough_date_round_trips_through_the_family_file(
    signed_in: Client, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    first_day, last_day = baby.birth_date + timedelta(days=2), baby.birth_date + timedelta(days=9)
    response = _order_post(
        signed_in,
        baby_network,
        **_day("start", first_day),
        start_accuracy="between",
        **_day("start_latest", last_day),
    )
    assert response.status_code == 302, response.content.decode()
    first = family_file_export([baby_network]).text
    [order] = json.loads(first)["care_orders"]
    assert (order["start"], order["start_accuracy"], order["start_latest"]) == (
        first_day.isoformat(),
        "between",
        last_day.isoformat(),
    )
    wipe_family_records()
    networks = family_file_import(
        family_file=family_file_read(first), actor=None, file_name="t.json"
    ).networks
    assert family_file_export(networks).text == first
    row = m.ParentalResponsibility.objects.get(person__isnull=True)
    assert (row.start, row.start_accuracy, row.start_latest) == (first_day, "between", last_day)
