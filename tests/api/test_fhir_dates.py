"""The FHIR export never presents an estimated date as exact (issue 10): month
and year dates are FHIR partial dates; about, before, after and between dates
carry kinmap's date-accuracy extension instead of a value."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from kinmap.accounts.models import User
from kinmap.api.fhir import DATE_ACCURACY_EXTENSION, EXPECTED_BIRTH_EXTENSION, UNBORN_EXTENSION
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.known_dates import SpanAccuracy
from tests.conftest import PASSWORD


def _bundle(client: Client, owner: User, network: m.FamilyNetwork) -> dict[str, Any]:
    client.login(username=owner.username, password=PASSWORD)
    response = client.get(f"/api/v1/families/{network.pk}/fhir")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    Bundle.model_validate(body)
    return body


def _accuracy(element: dict[str, Any]) -> dict[str, str]:
    [ext] = element["extension"]
    assert ext["url"] == DATE_ACCURACY_EXTENSION
    return {part["url"]: part.get("valueCode") or part["valueDate"] for part in ext["extension"]}


@pytest.mark.django_db
def test_dates_keep_their_accuracy_in_the_fhir_bundle(client: Client, owner: User) -> None:
    network = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Kit", family_name="Testkid", birth_date=date(2024, 1, 1), birth_date_accuracy="year"
        ),
    )
    kit = m.NetworkMember.objects.get(network=network, is_index=True).person
    mother = s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(
            given_name="Mara",
            family_name="Testmother",
            sex="female",
            birth_date=date(1995, 6, 10),
            birth_date_accuracy="estimated",
        ),
        related_to=kit,
        relationship=s.RelationshipData(type="NMTH", start=date(2024, 3, 1), start_accuracy="month"),
    )
    father = s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(
            given_name="Dan",
            sex="male",
            birth_date=date(1990, 1, 1),
            birth_date_accuracy="between",
            birth_date_latest=date(1992, 12, 31),
        ),
        related_to=kit,
        relationship=s.RelationshipData(type="NFTH", start=date(2024, 6, 1), start_accuracy="before"),
    )
    s.residence_create(
        actor=owner,
        network=network,
        person=father,
        address=s.AddressData(address_line_1="9 Away Lane"),
        start=date(2023, 1, 1),
        accuracy=SpanAccuracy(start_accuracy="year"),
    )
    entries = {e["resource"]["id"]: e["resource"] for e in _bundle(client, owner, network)["entry"]}
    patient = entries[f"person-{kit.pk}"]
    assert patient["birthDate"] == "2024"  # a year, not 1 January
    mara = next(r for r in entries.values() if r.get("name", [{}])[0].get("family") == "Testmother")
    assert "birthDate" not in mara
    assert _accuracy(mara["_birthDate"]) == {
        "accuracy": "about",
        "date": "1995-06-10",
        "earliest": "1994-06-10",
        "latest": "1996-06-10",
    }
    assert mara["period"] == {"start": "2024-03"}
    dan = next(r for r in entries.values() if r.get("name", [{}])[0].get("given") == ["Dan"])
    assert "birthDate" not in dan
    assert _accuracy(dan["_birthDate"])["accuracy"] == "between"
    assert _accuracy(dan["_birthDate"])["latest"] == "1992-12-31"
    assert "start" not in dan["period"]
    assert _accuracy(dan["period"]["_start"])["accuracy"] == "before"
    assert dan["address"][0]["period"] == {"start": "2023"}
    # no date in the bundle reads as exact unless it was recorded exact
    text = str(entries)
    for guess in ("2024-01-01", "1995-06-10'", "2023-01-01"):
        assert f"'birthDate': '{guess}" not in text and f"'start': '{guess}" not in text
    assert mother.pk != father.pk


@pytest.mark.django_db
def test_an_unborn_child_keeps_its_expected_date(client: Client, owner: User) -> None:
    due = date.today() + timedelta(days=60)
    network = s.network_create(
        actor=owner,
        child=s.PersonData(name_absent_reason="not born yet", birth_date=due, birth_date_accuracy="expected"),
    )
    [patient] = [e["resource"] for e in _bundle(client, owner, network)["entry"]]
    assert "birthDate" not in patient and "_birthDate" not in patient
    assert patient["extension"] == [
        {"url": UNBORN_EXTENSION, "valueBoolean": True},
        {"url": EXPECTED_BIRTH_EXTENSION, "valueDate": due.isoformat()},
    ]


@pytest.mark.django_db
def test_a_death_known_to_the_year_is_a_partial_date(client: Client, owner: User) -> None:
    network = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Kit",
            family_name="Testkid",
            birth_date=date(2020, 5, 1),
            birth_date_accuracy="accurate",
            death_date=date(2021, 1, 1),
            death_date_accuracy="year",
        ),
    )
    [patient] = [e["resource"] for e in _bundle(client, owner, network)["entry"]]
    assert (patient["birthDate"], patient["deceasedDateTime"]) == ("2020-05-01", "2021")


@pytest.mark.django_db
def test_the_family_api_gives_each_date_its_accuracy(client: Client, owner: User) -> None:
    network = s.network_create(
        actor=owner,
        child=s.PersonData(
            given_name="Kit", family_name="Testkid", birth_date=date(2024, 3, 1), birth_date_accuracy="month"
        ),
    )
    kit = m.NetworkMember.objects.get(network=network, is_index=True).person
    s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name="Mara", sex="female"),
        related_to=kit,
        relationship=s.RelationshipData(
            type="NMTH", start=date(2024, 1, 1), start_accuracy="between", start_latest=date(2024, 3, 31)
        ),
    )
    client.login(username=owner.username, password=PASSWORD)
    body = client.get(f"/api/v1/families/{network.pk}").json()
    [kit_out] = [p for p in body["people"] if p["id"] == kit.pk]
    assert (kit_out["birth_date"], kit_out["birth_date_accuracy"]) == ("2024-03-01", "month")
    [rel] = body["relationships"]
    assert (rel["start"], rel["start_accuracy"], rel["start_latest"]) == (
        "2024-01-01",
        "between",
        "2024-03-31",
    )
    assert (rel["end"], rel["end_accuracy"]) == (None, "accurate")
