"""Parental responsibility over time through the services, the pages and the
family file: held, ended by an adoption order, regained; refusals save nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from tests.conftest import PASSWORD, index_child
from tests.records.test_family_file import wipe_family_records
from tests.records.test_services_validation import refused

pytestmark = pytest.mark.django_db


def _person(owner: User, network: m.FamilyNetwork, given: str, code: str = "") -> m.Person:
    baby = index_child(network)
    return s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name=given, family_name="Testpr"),
        related_to=baby if code else None,
        relationship=s.RelationshipData(code) if code else None,
    )


def _adopted(owner: User, network: m.FamilyNetwork) -> tuple[m.Person, m.Person, m.Person, date]:
    """The birth mother held it from the birth; two adopters' order was made 30 days later."""
    baby = index_child(network)
    assert baby.birth_date is not None
    mother = _person(owner, network, "Bea", "NMTH")
    s.pr_set(actor=owner, network=network, person=mother, child=baby, basis="birth-mother")
    order_day = baby.birth_date + timedelta(days=30)
    adopters = [_person(owner, network, name, code) for name, code in (("Ada", "ADOPTM"), ("Al", "ADOPTF"))]
    for adopter in adopters:
        s.pr_set(
            actor=owner, network=network, person=adopter, child=baby, basis="adoption-order", start=order_day
        )
    return mother, adopters[0], adopters[1], order_day


def test_an_adoption_order_ends_the_birth_mothers_responsibility_and_says_so(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    mother, ada, al, order_day = _adopted(owner, baby_network)
    rows = {r.person_id: r for r in m.ParentalResponsibility.objects.filter(child=index_child(baby_network))}
    assert rows[mother.pk].end == order_day
    assert (rows[ada.pk].end, rows[al.pk].end) == (None, None)  # adopting together, each keeps it
    ended = AuditEvent.objects.get(
        object_type="parental_responsibility", object_id=str(rows[mother.pk].pk), action="update"
    )
    assert ended.reason == f"ended by the adoption order (record {rows[ada.pk].pk})"
    # requirement 4 is met for the birth mother: she holds none now, and that is recorded
    assert not gm.Gap.objects.filter(
        network=baby_network,
        rule_id="R04-parental-responsibility",
        subject_id=str(mother.pk),
        resolved_at=None,
    ).exists()


def test_an_order_without_its_date_and_an_overlapping_record_are_refused(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    adopter = _person(owner, baby_network, "Ada", "ADOPTM")
    messages = refused(
        s.pr_set, actor=owner, network=baby_network, person=adopter, child=baby, basis="adoption-order"
    )
    assert messages == ["Enter the date the order was made"]
    s.pr_set(actor=owner, network=baby_network, person=adopter, child=baby, basis="agreement")
    messages = refused(
        s.pr_set, actor=owner, network=baby_network, person=adopter, child=baby, basis="court-order"
    )
    assert messages == [
        "Ada Testpr already has a parental responsibility record for this child at that time: "
        "end it first, or change the dates"
    ]


def test_held_lost_and_regained_are_three_records(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    dad = _person(owner, baby_network, "Dan", "NFTH")
    lost = baby.birth_date + timedelta(days=10)
    first = s.pr_set(
        actor=owner, network=baby_network, person=dad, child=baby, basis="joint-registration", end=lost
    )
    s.pr_set(
        actor=owner,
        network=baby_network,
        person=dad,
        child=baby,
        basis="child-arrangements",
        start=lost + timedelta(days=5),
    )
    # changing the first period: its own record, by version
    s.pr_set(
        actor=owner,
        network=baby_network,
        person=dad,
        child=baby,
        basis="married",
        end=lost,
        record=first,
        expected_version=first.version,
    )
    assert list(
        m.ParentalResponsibility.objects.filter(person=dad).order_by("pk").values_list("basis", "end")
    ) == [
        ("married", lost),
        ("child-arrangements", None),
    ]


def test_the_family_page_shows_current_and_past_with_dates(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    mother, _, _, order_day = _adopted(owner, baby_network)
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    section = page.split('id="parental-responsibility"', 1)[1].split("</section>", 1)[0]
    day = f"{order_day.day} {order_day:%B %Y}"
    assert (
        f'Adoption order<br><span class="govuk-body-s kinmap-secondary">for Rowan Testbaby. Since {day}'
        in section
    )
    assert '<span class="govuk-tag govuk-tag--grey">Ended</span> Birth mother' in section
    assert f"Ended {day}" in section
    assert section.index("Adoption order") < section.index("Ended</span>")  # current first
    person_page = client.get(reverse("person", args=[baby_network.pk, mother.pk])).content.decode()
    assert f'<span class="govuk-tag govuk-tag--grey">Ended</span> Birth mother. Ended {day}' in person_page


def test_the_form_records_the_end_of_a_period(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    dad = _person(owner, baby_network, "Dan", "NFTH")
    client.login(username=owner.username, password=PASSWORD)
    end = baby.birth_date + timedelta(days=3)
    response = client.post(
        reverse("pr-add", args=[baby_network.pk]),
        {
            "person": dad.pk,
            "child": baby.pk,
            "basis": "agreement",
            "end_0": end.day,
            "end_1": end.month,
            "end_2": end.year,
            "source": "said-by",
            "source_detail": "the mother",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert m.ParentalResponsibility.objects.get(person=dad).end == end


def test_periods_and_orders_round_trip_through_the_family_file(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    _adopted(owner, baby_network)
    first = family_file_export([baby_network]).text
    records = json.loads(first)["parental_responsibility"]
    assert [(r["basis"], r["end"] is not None) for r in records] == [
        ("birth-mother", True),
        ("adoption-order", False),
        ("adoption-order", False),
    ]
    wipe_family_records()
    networks = family_file_import(
        family_file=family_file_read(first), actor=None, file_name="t.json"
    ).networks
    assert family_file_export(networks).text == first
