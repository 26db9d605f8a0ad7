"""kinmap import: a person already on the record is linked, a possible match
recorded for review, nobody added twice without trace."""

from __future__ import annotations

import pytest

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read

from .conftest import Seed


def _import(text: str) -> list[m.FamilyNetwork]:
    return family_file_import(family_file=family_file_read(text), actor=None, file_name="again.json").networks


@pytest.mark.django_db
def test_people_already_on_the_record_are_linked_not_added(outsider: User, seed: Seed) -> None:
    text = family_file_export([seed.social_network], include_masked=True).text
    people_before = m.Person.objects.count()
    (network,) = _import(text)
    assert m.Person.objects.count() == people_before
    members = set(m.NetworkMember.objects.filter(network=network).values_list("person_id", flat=True))
    assert members == {seed.jordan.pk, seed.skye.pk}
    assert AuditEvent.objects.filter(action="link", network_id=network.pk).count() == 2
    event = AuditEvent.objects.get(action="import")
    assert sorted(event.changes["linked_people"][1]) == sorted([seed.jordan.pk, seed.skye.pk])


@pytest.mark.django_db
def test_a_possible_match_is_added_and_recorded_for_review(outsider: User, seed: Seed) -> None:
    text = family_file_export([seed.social_network], include_masked=True).text
    text = text.replace('"given_name": "Skye"', '"given_name": "Sky"')
    assert '"Sky"' in text
    _import(text)
    sky = m.Person.objects.get(given_name="Sky")
    event = AuditEvent.objects.get(action="possible_match")
    assert event.object_id == str(sky.pk)
    assert {event.changes["person_a"], event.changes["person_b"]} == {sky.pk, seed.skye.pk}
    levels = {c["name"]: c["label"] for c in event.changes["comparisons"]}
    assert levels["given_name"] == "similar given name"
    assert levels["date_of_birth"] == "same date of birth"
    assert event.changes["probability"] >= 0.5
