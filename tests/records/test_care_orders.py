"""Care orders through the services, the pages and the family file: the local
authority shares parental responsibility with the parents (Children Act 1989
s33(3)); the parents keep theirs; an adoption order ends the care order."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps.answers import answers_for
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.care_orders import care_order_set
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read
from kinmap.records.selectors import family_record_load
from tests.conftest import PASSWORD, index_child
from tests.records.test_family_file import wipe_family_records
from tests.records.test_services_validation import refused

pytestmark = pytest.mark.django_db

LA = "Testham City Council"


def _mother(owner: User, network: m.FamilyNetwork) -> m.Person:
    baby = index_child(network)
    mother = s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name="Bea", family_name="Testco"),
        related_to=baby,
        relationship=s.RelationshipData("NMTH"),
    )
    s.pr_set(actor=owner, network=network, person=mother, child=baby, basis="birth-mother")
    return mother


def _ordered(owner: User, network: m.FamilyNetwork, days_after_birth: int = 10) -> m.ParentalResponsibility:
    baby = index_child(network)
    assert baby.birth_date is not None
    return care_order_set(
        actor=owner,
        network=network,
        child=baby,
        local_authority=LA,
        start=baby.birth_date + timedelta(days=days_after_birth),
        source=s.Source_("other-agency", "the court order, seen"),
    )


def test_a_care_order_is_the_local_authoritys_and_the_parents_keep_theirs(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    mother = _mother(owner, baby_network)
    order = _ordered(owner, baby_network)
    assert (order.person_id, order.local_authority, order.basis) == (None, LA, "court-order")
    record = family_record_load(baby_network)
    net = record.graph_network
    assert [(o.local_authority, o.child_id) for o in net.care_orders] == [(LA, index_child(baby_network).pk)]
    assert [r.person_id for r in net.parental_responsibility] == [mother.pk]  # not ended, not replaced
    assert m.ParentalResponsibility.objects.get(person=mother).end is None
    assert AuditEvent.objects.filter(
        object_type="care_order", object_id=str(order.pk), action="create"
    ).exists()
    # requirement 4 is met for the mother by her own record; nobody is asked about the authority
    open_gaps = gm.Gap.objects.filter(network=baby_network, resolved_at=None)
    assert not open_gaps.filter(rule_id="R04-parental-responsibility", subject_id=str(mother.pk)).exists()
    assert not open_gaps.filter(subject_kind="care-order").exists()


def test_a_care_order_without_a_source_is_a_source_gap(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    order = care_order_set(
        actor=owner, network=baby_network, child=baby, local_authority=LA, start=baby.birth_date
    )
    gap = gm.Gap.objects.get(network=baby_network, rule_id="R12-sources", subject_kind="care-order")
    assert (gap.subject_id, gap.resolved_at) == (str(order.pk), None)
    assert gap.subject_name == f"{LA} (care order for {baby})"
    _inline, links = answers_for(gap, baby_network.pk, {})
    assert [(x.label, x.url) for x in links] == [
        (
            "Record where the care order came from",
            reverse("care-order-edit", args=[baby_network.pk, order.pk]),
        )
    ]


def test_refusals_save_nothing(owner: User, baby_network: m.FamilyNetwork) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    kw = {"actor": owner, "network": baby_network, "child": baby}
    assert refused(care_order_set, **kw, local_authority=" ", start=baby.birth_date) == [
        "Enter the local authority named in the care order"
    ]
    assert refused(care_order_set, **kw, local_authority=LA, start=None) == [
        "Enter the date the care order was made"
    ]
    before_birth = baby.birth_date - timedelta(days=1)
    assert refused(care_order_set, **kw, local_authority=LA, start=before_birth) == [
        "The care order must be made on or after the child's date of birth"
    ]
    _ordered(owner, baby_network)
    assert refused(care_order_set, **kw, local_authority="Otherton Council", start=baby.birth_date) == [
        "Another care order for this child runs at the same time: end it first"
    ]


def test_the_holder_is_a_person_or_a_local_authority_never_both(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    mother = _mother(owner, baby_network)
    baby = index_child(baby_network)
    for bad in (
        {"person": mother, "local_authority": LA, "basis": "court-order"},
        {"person": None, "local_authority": "", "basis": "court-order"},
        {"person": None, "local_authority": LA, "basis": "birth-mother"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            m.ParentalResponsibility.objects.create(child=baby, **bad)


def test_an_adoption_order_ends_the_care_order(owner: User, baby_network: m.FamilyNetwork) -> None:
    order = _ordered(owner, baby_network)
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    adopter = s.person_add(
        actor=owner,
        network=baby_network,
        data=s.PersonData(given_name="Ada", family_name="Testco"),
        related_to=baby,
        relationship=s.RelationshipData("ADOPTM"),
    )
    day = baby.birth_date + timedelta(days=40)
    s.pr_set(actor=owner, network=baby_network, person=adopter, child=baby, basis="adoption-order", start=day)
    order.refresh_from_db()
    assert order.end == day
    ended = AuditEvent.objects.get(object_id=str(order.pk), action="update")
    assert ended.reason.startswith("care order ended by the adoption order")


def test_the_family_page_shows_the_care_order_in_words_current_and_past(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    care_order_set(
        actor=owner,
        network=baby_network,
        child=baby,
        local_authority="Oldtown Borough Council",
        start=baby.birth_date + timedelta(days=1),
        end=baby.birth_date + timedelta(days=5),
    )
    _ordered(owner, baby_network)
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    assert f"{LA} shares parental responsibility for {baby} with the parents who have it" in page
    assert "Oldtown Borough Council shared parental responsibility" in page
    assert page.index(f"{LA} shares") < page.index("Oldtown Borough Council shared")  # in force first
    assert "Record a care order" in page


def test_the_form_records_a_care_order_and_shows_errors(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    baby = index_child(baby_network)
    assert baby.birth_date is not None
    client.login(username=owner.username, password=PASSWORD)
    url = reverse("care-order-add", args=[baby_network.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"child": baby.pk, "local_authority": ""})
    assert bad.status_code == 200
    assert "Enter the local authority named in the care order" in bad.content.decode()
    made = baby.birth_date + timedelta(days=3)
    good = client.post(
        url,
        {
            "child": baby.pk,
            "local_authority": LA,
            "start_0": made.day,
            "start_1": made.month,
            "start_2": made.year,
            "source": "other-agency",
            "source_detail": "children's services",
        },
    )
    assert good.status_code == 302, good.content.decode()
    order = m.ParentalResponsibility.objects.get(person__isnull=True)
    assert (order.local_authority, order.start, order.source) == (LA, made, "other-agency")
    # a care order is not a person's record: the person form does not open it, and the other way round
    assert client.get(reverse("pr-edit", args=[baby_network.pk, order.pk])).status_code == 404
    mother = _mother(owner, baby_network)
    own = m.ParentalResponsibility.objects.get(person=mother)
    assert client.get(reverse("care-order-edit", args=[baby_network.pk, own.pk])).status_code == 404
    assert client.get(reverse("care-order-edit", args=[baby_network.pk, order.pk])).status_code == 200


def test_care_orders_round_trip_through_the_family_file(owner: User, baby_network: m.FamilyNetwork) -> None:
    _mother(owner, baby_network)
    _ordered(owner, baby_network)
    first = family_file_export([baby_network]).text
    orders = json.loads(first)["care_orders"]
    assert [(o["local_authority"], o["end"], o["provenance"]["source"]) for o in orders] == [
        (LA, None, "other-agency")
    ]
    assert all("person" not in r or r["person"] for r in json.loads(first)["parental_responsibility"])
    wipe_family_records()
    networks = family_file_import(
        family_file=family_file_read(first), actor=None, file_name="t.json"
    ).networks
    assert family_file_export(networks).text == first
    assert m.ParentalResponsibility.objects.filter(person__isnull=True, local_authority=LA).count() == 1
