"""One set of limits (kinmap/core/limits.py): what the pages refuse, the services
and the family file import refuse too, with the same meaning, saving nothing."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.core import limits
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError
from tests.conftest import PASSWORD
from tests.records.conftest import Family
from tests.records.family_files import JESS_ICON, accounts, base, load, refused

__all__ = ["accounts"]  # the fixture, shared with the other import tests

OUT_OF_RANGE = "must be between 1 January 1900 and 31 December 2200"


def _person_form(born: date) -> dict[str, str]:
    return {
        "given_name": "Mara",
        "family_name": "Testmother",
        "sex": "female",
        "birth_date_0": str(born.day),
        "birth_date_1": str(born.month),
        "birth_date_2": str(born.year),
        "birth_date_accuracy": "accurate",
        "version": "1",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("born", [date(1850, 6, 1), date(1899, 12, 31), date(2201, 1, 1)])
def test_a_birth_year_the_page_refuses_the_import_and_services_refuse(
    client: Client, owner: User, family: Family, accounts: User, born: date
) -> None:
    # the page
    client.login(username=owner.username, password=PASSWORD)
    url = reverse("person-edit", args=[family.network.pk, family.mother.pk])
    response = client.post(url, _person_form(born))
    assert response.status_code == 200
    assert f"Date of birth {OUT_OF_RANGE}" in html.unescape(response.content.decode())
    assert m.Person.objects.get(pk=family.mother.pk).birth_date is None

    # the services (which every other channel goes through)
    before = m.Person.objects.count()
    with pytest.raises(RecordError) as info:
        s.person_add(
            actor=owner,
            network=family.network,
            data=s.PersonData(given_name="Mara", birth_date=born, birth_date_accuracy="accurate"),
        )
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("birth_date", f"Date of birth {OUT_OF_RANGE}")
    ]
    assert m.Person.objects.count() == before

    # the family file
    doc = base()
    doc["people"][1]["birth_date"] = born.isoformat()
    assert refused(doc) == [f'people[1] (id "p2"): birth_date: {born.isoformat()} {OUT_OF_RANGE}']


@pytest.mark.django_db
def test_the_first_and_last_days_the_page_takes_the_import_takes(accounts: User) -> None:
    doc = base()
    doc["people"][1]["birth_date"] = limits.EARLIEST_DATE.isoformat()
    doc["people"][0]["death_date"] = None
    doc["relationships"][0]["end"] = limits.LATEST_DATE.isoformat()
    load(doc)
    assert m.Person.objects.filter(birth_date=limits.EARLIEST_DATE).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("relationships", 1, "start"), f"relationships[1]: start: 1066-10-14 {OUT_OF_RANGE}"),
        (("residences", 0, "end"), f"residences[0]: end: 1066-10-14 {OUT_OF_RANGE}"),
        (
            ("networks", 0, "allocations", 0, "start"),
            f'networks[0] (id "n1"): allocations[0].start: 1066-10-14 {OUT_OF_RANGE}',
        ),
    ],
)
def test_every_date_in_the_file_has_the_pages_range(
    accounts: User, path: tuple[str | int, ...], message: str
) -> None:
    doc = base()
    holder = doc
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = "1066-10-14"
    assert refused(doc) == [message]


@pytest.mark.django_db
def test_a_time_outside_the_range_is_refused(accounts: User) -> None:
    doc = base()
    doc["relationships"][0]["provenance"] = None
    doc["people"][1]["provenance"]["birth_date"]["recorded_at"] = "9999-12-31T23:59:59-23:59"
    assert refused(doc) == [
        f'people[1] (id "p2"): provenance.birth_date.recorded_at: 9999-12-31T23:59:59-23:59 {OUT_OF_RANGE}'
    ]


@pytest.mark.django_db
def test_a_declined_reason_longer_than_the_page_takes_is_refused(accounts: User) -> None:
    """The page's box takes 1,000 characters; the import took 4,000."""
    doc = base()
    declined = {**JESS_ICON, "declined": True, "given_by": None}
    doc["information_given"] = [{**declined, "declined_reason": "x" * (limits.DECLINED_REASON_MAX + 1)}]
    assert refused(doc) == [
        f"information_given[0]: declined_reason: is longer than {limits.DECLINED_REASON_MAX} characters"
    ]


def test_the_forms_use_the_shared_lengths() -> None:
    from kinmap.carers.forms import InformationForm
    from kinmap.gaps.forms import FactAnswerForm
    from kinmap.records.forms import PersonForm

    person = PersonForm.base_fields
    assert person["given_name"].max_length == limits.NAME_MAX  # type: ignore[attr-defined]
    assert person["name_absent_reason"].max_length == limits.NAME_ABSENT_REASON_MAX  # type: ignore[attr-defined]
    assert InformationForm.base_fields["declined_reason"].max_length == limits.DECLINED_REASON_MAX  # type: ignore[attr-defined]
    assert FactAnswerForm.base_fields["value"].max_length == limits.FACT_VALUE_MAX  # type: ignore[attr-defined]
