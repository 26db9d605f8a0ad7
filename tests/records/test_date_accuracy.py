"""Dates as people know them through the services, the pages and the family
file (issue 10): every date carries its accuracy, refusals happen only when
impossible under every reading and save nothing, pages take and show the
accuracy, and the family file round-trips it."""

from __future__ import annotations

import html as htmllib
import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from kinmap.records.known_dates import SpanAccuracy
from tests.conftest import PASSWORD
from tests.records.conftest import Family


def _text(response: object) -> str:
    return htmllib.unescape(response.content.decode())  # type: ignore[attr-defined]


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    client.login(username=owner.username, password=PASSWORD)
    return client


# -- services ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_death_about_a_date_just_before_an_exact_birth_is_recorded(owner: User, family: Family) -> None:
    baby = family.baby  # born 63 days ago, exactly
    data = s.PersonData.of(baby)
    assert baby.birth_date is not None
    died_about = baby.birth_date - timedelta(days=20)  # exactly: impossible; about: a year either side
    s.person_update(
        actor=owner,
        network=family.network,
        person=baby,
        data=s.PersonData(**{**data.__dict__, "death_date": died_about, "death_date_accuracy": "estimated"}),
        expected_version=baby.version,
    )
    row = m.Person.objects.get(pk=baby.pk)
    assert (row.death_date, row.death_date_accuracy) == (died_about, "estimated")
    assert row.history.latest().death_date_accuracy == "estimated"  # the history table has the column


@pytest.mark.django_db
def test_care_ended_by_a_death_is_ended_as_well_as_the_death_is_known(owner: User, family: Family) -> None:
    dan = family.father
    died = date.today() - timedelta(days=10)
    s.person_update(
        actor=owner,
        network=family.network,
        person=dan,
        data=s.PersonData(
            given_name="Dan",
            family_name="Testfather",
            sex="male",
            death_date=died,
            death_date_accuracy="estimated",
        ),
        expected_version=dan.version,
    )
    care = m.CareArrangement.objects.get(pk=family.care.pk)
    assert (care.end, care.end_accuracy) == (died, "estimated")
    event = AuditEvent.objects.filter(object_type="care_arrangement", object_id=care.pk).latest("pk")
    assert event.reason == f"ended by the death of Dan Testfather about {died:%B %Y}"


@pytest.mark.django_db
def test_a_death_before_the_birth_under_every_reading_is_refused_and_nothing_saved(
    owner: User, family: Family
) -> None:
    mother = family.mother
    before = m.Person.objects.get(pk=mother.pk)
    data = s.PersonData(
        given_name="Mara",
        family_name="Testmother",
        sex="female",
        birth_date=date(1995, 1, 1),
        birth_date_accuracy="year",
        death_date=date(1995, 1, 1),
        death_date_accuracy="before",
    )
    with pytest.raises(RecordError) as err:
        s.person_update(
            actor=owner, network=family.network, person=mother, data=data, expected_version=mother.version
        )
    assert err.value.messages == [
        "Date of death (before 1 January 1995) must be on or after the date of birth (1995)",
        "Rowan Testbaby was born after the death of Mara Testmother",
    ]
    after = m.Person.objects.get(pk=mother.pk)
    assert (after.birth_date, after.death_date, after.version) == (None, None, before.version)


@pytest.mark.django_db
def test_moving_out_before_moving_in_is_refused_only_under_every_reading(owner: User, family: Family) -> None:
    stay = family.stay
    events = AuditEvent.objects.count()
    with pytest.raises(RecordError) as err:
        s.residence_update(
            actor=owner,
            network=family.network,
            residence=stay,
            start=date(2024, 1, 1),
            end=date(2023, 1, 1),
            expected_version=stay.version,
            accuracy=SpanAccuracy(start_accuracy="year", end_accuracy="year"),
        )
    assert err.value.messages == ["The date they left must be on or after the date they moved in"]
    assert m.Residence.objects.get(pk=stay.pk).start is None and AuditEvent.objects.count() == events
    # moved in some time in 2024, out on 1 March 2024: possible
    s.residence_update(
        actor=owner,
        network=family.network,
        residence=stay,
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
        expected_version=stay.version,
        accuracy=SpanAccuracy(start_accuracy="year"),
    )
    row = m.Residence.objects.get(pk=stay.pk)
    assert (row.start, row.start_accuracy, row.end, row.end_accuracy) == (
        date(2024, 1, 1),
        "year",
        date(2024, 3, 1),
        "accurate",
    )
    event = AuditEvent.objects.filter(object_type="residence", action="update").latest("pk")
    assert event.changes["start_accuracy"] == ["accurate", "year"]


@pytest.mark.django_db
def test_a_between_date_without_its_second_date_is_refused(owner: User, family: Family) -> None:
    pr = family.pr
    with pytest.raises(RecordError) as err:
        s.pr_set(
            actor=owner,
            network=family.network,
            person=family.mother,
            child=family.baby,
            basis="birth-mother",
            start=date.today(),
            record=pr,
            expected_version=pr.version,
            accuracy=SpanAccuracy(start_accuracy="between"),
        )
    assert err.value.messages == ["The start date: enter both dates for 'between'"]
    assert m.ParentalResponsibility.objects.get(pk=pr.pk).start is None


@pytest.mark.django_db
def test_an_unknown_accuracy_code_is_refused(owner: User, family: Family) -> None:
    with pytest.raises(RecordError) as err:
        s.care_update(
            actor=owner,
            network=family.network,
            care=family.care,
            data=s.CareData(place="carer-home", start=date(2025, 1, 1), start_accuracy="roughly"),
            expected_version=family.care.version,
        )
    assert err.value.messages == ["Choose how well the date is known from the list"]
    with pytest.raises(RecordError):  # an end cannot be "expected"
        s.care_update(
            actor=owner,
            network=family.network,
            care=family.care,
            data=s.CareData(place="carer-home", end=date(2025, 1, 1), end_accuracy="expected"),
            expected_version=family.care.version,
        )


# -- pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stay_known_to_the_month_is_taken_and_shown_in_words(signed_in: Client, family: Family) -> None:
    url = reverse("residence-edit", args=[family.network.pk, family.stay.pk])
    page = _text(signed_in.get(url))
    assert 'name="start_accuracy"' in page and 'name="start_latest_0"' in page
    response = signed_in.post(
        url,
        {"start_1": "3", "start_2": "2019", "start_accuracy": "month", "version": str(family.stay.version)},
    )
    assert response.status_code == 302
    row = m.Residence.objects.get(pk=family.stay.pk)
    assert (row.start, row.start_accuracy) == (date(2019, 3, 1), "month")
    assert "Lives here since March 2019" in _text(signed_in.get(reverse("family", args=[family.network.pk])))
    # the form shows the month without a day
    again = _text(signed_in.get(url))
    assert 'name="start_0" type="text" inputmode="numeric" value=""' in again
    assert 'name="start_1" type="text" inputmode="numeric" value="3"' in again


@pytest.mark.django_db
def test_an_exact_date_without_a_day_shows_the_error_summary(signed_in: Client, family: Family) -> None:
    url = reverse("residence-edit", args=[family.network.pk, family.stay.pk])
    response = signed_in.post(
        url,
        {
            "start_1": "3",
            "start_2": "2019",
            "start_accuracy": "accurate",
            "version": str(family.stay.version),
        },
    )
    assert response.status_code in (200, 400)
    page = _text(response)
    assert "govuk-error-summary" in page
    assert "The start date must include a day, or choose 'Month and year'" in page
    assert m.Residence.objects.get(pk=family.stay.pk).start is None


@pytest.mark.django_db
def test_care_between_two_years_is_taken_and_shown(signed_in: Client, family: Family) -> None:
    url = reverse("care-edit", args=[family.network.pk, family.care.pk])
    form = {
        "carer": str(family.father.pk),
        "child": str(family.baby.pk),
        "place": "carer-home",
        "frequency": "on Fridays",
        "overnight": "on",
        "start_2": "2018",
        "start_accuracy": "between",
        "version": str(family.care.version),
    }
    missing = signed_in.post(url, form)
    assert missing.status_code == 200, missing
    assert "The start date: enter the second date, for 'between'" in _text(missing)
    response = signed_in.post(url, {**form, "start_latest_2": "2019"})
    assert response.status_code == 302
    row = m.CareArrangement.objects.get(pk=family.care.pk)
    assert (row.start, row.start_accuracy, row.start_latest) == (
        date(2018, 1, 1),
        "between",
        date(2019, 12, 31),
    )
    assert "Between 2018 and 2019" in _text(signed_in.get(reverse("family", args=[family.network.pk])))


@pytest.mark.django_db
def test_a_death_date_with_its_accuracy_through_the_person_page(signed_in: Client, family: Family) -> None:
    url = reverse("person-edit", args=[family.network.pk, family.mother.pk])
    page = _text(signed_in.get(url))
    assert 'name="death_date_accuracy"' in page
    response = signed_in.post(
        url,
        {
            "given_name": "Mara",
            "family_name": "Testmother",
            "sex": "female",
            "birth_date_accuracy": "unknown",
            "death_date_2": str(date.today().year),  # the baby was born this year too
            "death_date_accuracy": "year",
            "version": str(family.mother.version),
        },
    )
    assert response.status_code == 302, _text(response)
    row = m.Person.objects.get(pk=family.mother.pk)
    assert (row.death_date, row.death_date_accuracy) == (date(date.today().year, 1, 1), "year")
    person_page = _text(signed_in.get(reverse("person", args=[family.network.pk, family.mother.pk])))
    assert f"{date.today().year}" in person_page.split("Date of death", 1)[1][:300]


# -- family file ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_accuracy_round_trips_through_the_family_file(owner: User, family: Family) -> None:
    net = family.network
    s.person_update(
        actor=owner,
        network=net,
        person=family.mother,
        data=s.PersonData(
            given_name="Mara",
            family_name="Testmother",
            sex="female",
            birth_date=date(1990, 1, 1),
            birth_date_accuracy="between",
            birth_date_latest=date(1992, 12, 31),
        ),
        expected_version=family.mother.version,
    )
    s.residence_update(
        actor=owner,
        network=net,
        residence=family.stay,
        start=date(2019, 3, 1),
        end=date(2020, 5, 4),
        expected_version=family.stay.version,
        accuracy=SpanAccuracy(start_accuracy="month", end_accuracy="before"),
    )
    s.care_update(
        actor=owner,
        network=net,
        care=family.care,
        data=s.CareData(place="carer-home", start=date(2021, 6, 1), start_accuracy="estimated"),
        expected_version=family.care.version,
    )
    s.relationship_update(
        actor=owner,
        network=net,
        relationship=family.rel,
        data=s.RelationshipData("NFTH", start=date(2018, 1, 1), start_accuracy="after"),
        expected_version=family.rel.version,
    )
    s.pr_set(
        actor=owner,
        network=net,
        person=family.mother,
        child=family.baby,
        basis="birth-mother",
        end=date(2099, 1, 1),
        record=family.pr,
        expected_version=family.pr.version,
        accuracy=SpanAccuracy(end_accuracy="year"),
    )
    first = family_file_export([net], include_masked=True).text
    doc = json.loads(first)
    mara = next(p for p in doc["people"] if p["given_name"] == "Mara")
    assert (mara["birth_date_accuracy"], mara["birth_date_latest"]) == ("between", "1992-12-31")
    stays = [r for r in doc["residences"] if r["start_accuracy"] == "month"]
    assert len(stays) == 1 and stays[0]["end_accuracy"] == "before"
    assert doc["care_arrangements"][0]["start_accuracy"] == "estimated"
    assert {r["start_accuracy"] for r in doc["relationships"]} >= {"after"}
    assert doc["parental_responsibility"][0]["end_accuracy"] == "year"

    m.FamilyNetwork.objects.all().delete()
    m.Person.objects.all().delete()
    m.Household.objects.all().delete()
    networks = family_file_import(
        family_file=family_file_read(first), actor=None, file_name="dates.json"
    ).networks
    assert family_file_export(networks, include_masked=True).text == first


@pytest.mark.django_db
def test_a_family_file_with_a_bad_accuracy_is_refused(owner: User, family: Family) -> None:
    doc = json.loads(family_file_export([family.network], include_masked=True).text)
    doc["residences"][0]["start_accuracy"] = "expected"
    with pytest.raises(Exception) as err:
        family_file_read(json.dumps(doc))
    assert "start_accuracy" in str(err.value)
