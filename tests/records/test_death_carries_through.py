"""Death carries through: recording a date of death ends the person's care and
parental responsibility, stops the adult and carer questions, and every place
that shows them says so (the pages, the carer list, the FHIR export)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.records import models as m
from kinmap.records import services as s
from tests.conftest import PASSWORD, index_child

pytestmark = pytest.mark.django_db


def _grandad(
    owner: User, network: m.FamilyNetwork
) -> tuple[m.Person, m.CareArrangement, m.ParentalResponsibility]:
    """Grandad looks after the baby on Tuesdays and holds parental responsibility
    under a child arrangements order."""
    baby = index_child(network)
    assert baby.birth_date is not None
    grandad = s.person_add(
        actor=owner,
        network=network,
        data=s.PersonData(given_name="Glyn", family_name="Testgrand", sex="male"),
        related_to=baby,
        relationship=s.RelationshipData("GRPRN"),
    )
    care = s.care_create(
        actor=owner,
        network=network,
        carer=grandad,
        child=baby,
        data=s.CareData(place="carer-home", frequency="Tuesdays"),
    )
    pr = s.pr_set(
        actor=owner,
        network=network,
        person=grandad,
        child=baby,
        basis="child-arrangements",
        start=baby.birth_date,
    )
    return grandad, care, pr


def _dies(owner: User, network: m.FamilyNetwork, person: m.Person, days_ago: int = 2) -> m.Person:
    person = m.Person.objects.get(pk=person.pk)
    died = timezone.localdate() - timedelta(days=days_ago)
    data = dataclasses.replace(s.PersonData.of(person), death_date=died)
    return s.person_update(
        actor=owner, network=network, person=person, data=data, expected_version=person.version
    )


def test_a_death_ends_care_and_parental_responsibility_on_the_day_audited(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    grandad, care, pr = _grandad(owner, baby_network)
    grandad = _dies(owner, baby_network, grandad)
    care.refresh_from_db()
    pr.refresh_from_db()
    assert care.end == grandad.death_date and pr.end == grandad.death_date
    reasons = set(
        AuditEvent.objects.filter(
            object_type__in=("care_arrangement", "parental_responsibility"), action="update"
        ).values_list("object_type", "reason")
    )
    why = f"ended by the death of Glyn Testgrand on {grandad.death_date}"
    assert reasons == {("care_arrangement", why), ("parental_responsibility", why)}


def test_after_a_death_no_adult_or_carer_question_is_asked_of_them(
    owner: User, baby_network: m.FamilyNetwork
) -> None:
    grandad, _, _ = _grandad(owner, baby_network)

    def open_rules() -> set[str]:
        return set(
            gm.Gap.objects.filter(
                network=baby_network, subject_id=str(grandad.pk), resolved_at=None
            ).values_list("rule_id", flat=True)
        )

    assert {"R09-other-names", "R11-seen-directly", "R15-adult-services", "R17-icon"} <= open_rules()
    _dies(owner, baby_network, grandad)
    assert (
        open_rules()
        & {"R09-other-names", "R11-seen-directly", "R15-adult-services", "R17-icon", "R10-carer-details"}
        == set()
    )


def test_the_pages_and_the_fhir_export_say_they_have_died(
    client: Client, owner: User, baby_network: m.FamilyNetwork
) -> None:
    grandad, _, _ = _grandad(owner, baby_network)
    client.login(username=owner.username, password=PASSWORD)

    def carers_section(page: str) -> str:
        return page.split('id="carers-heading"', 1)[1].split("<h2", 1)[0]

    before = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    assert "Glyn Testgrand" in carers_section(before)
    grandad = _dies(owner, baby_network, grandad)
    assert grandad.death_date is not None
    family = client.get(reverse("family", args=[baby_network.pk])).content.decode()
    section = family.split('id="parental-responsibility"', 1)[1].split("</section>", 1)[0]
    assert '<span class="govuk-tag govuk-tag--grey">Ended</span> Child arrangements order' in section
    assert "Glyn Testgrand" not in carers_section(family)  # no longer listed as a carer
    body = client.get(f"/api/v1/families/{baby_network.pk}/fhir").json()
    [related] = [
        e["resource"]
        for e in body["entry"]
        if e["resource"]["resourceType"] == "RelatedPerson" and e["resource"]["name"][0]["given"] == ["Glyn"]
    ]
    assert related["active"] is False
    assert related["period"] == {"end": grandad.death_date.isoformat()}
