"""kinmap import: a person already on the record is linked, a possible match
recorded for review, nobody added twice without trace."""

from __future__ import annotations

import pytest

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.merging.models import CandidateStatus, MatchCandidate
from kinmap.records import models as m
from kinmap.records.family_file import family_file_export, family_file_import, family_file_read

from .conftest import JORDAN_NHS, Seed


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
def test_a_relationship_already_recorded_corroborates_a_near_match(outsider: User, seed: Seed) -> None:
    """The file's Sky, born the same day, is the daughter of the Jordan Price
    already recorded as Skye's birth father: she is Skye, linked."""
    text = family_file_export([seed.social_network], include_masked=True).text
    text = text.replace('"given_name": "Skye"', '"given_name": "Sky"')
    assert '"Sky"' in text
    people_before = m.Person.objects.count()
    _import(text)
    assert m.Person.objects.count() == people_before
    assert AuditEvent.objects.filter(action="link").count() == 2


@pytest.mark.django_db
def test_possible_matches_are_added_and_recorded_for_review(outsider: User, seed: Seed) -> None:
    text = family_file_export([seed.social_network], include_masked=True).text
    text = text.replace('"given_name": "Skye"', '"given_name": "Sky"')
    text = text.replace('"given_name": "Jordan"', '"given_name": "Jordon"').replace(f'"{JORDAN_NHS}"', '""')
    assert '"Jordon"' in text and JORDAN_NHS not in text
    _import(text)
    sky, jordon = m.Person.objects.get(given_name="Sky"), m.Person.objects.get(given_name="Jordon")
    events = {e.object_id: e for e in AuditEvent.objects.filter(action="possible_match")}
    assert set(events) == {str(sky.pk), str(jordon.pk)}
    event = events[str(sky.pk)]
    assert {event.changes["person_a"], event.changes["person_b"]} == {sky.pk, seed.skye.pk}
    levels = {c["name"]: c["label"] for c in event.changes["comparisons"]}
    assert levels["given_name"] == "similar given name"
    assert levels["date_of_birth"] == "same date of birth"
    assert event.changes["probability"] >= 0.5
    assert not AuditEvent.objects.filter(action="link").exists()
    # and both pairs wait on the review queue, with the same comparisons
    queued = {(c.person_a_id, c.person_b_id): c for c in MatchCandidate.objects.all()}
    assert set(queued) == {(e.changes["person_a"], e.changes["person_b"]) for e in events.values()}
    pair = queued[tuple(sorted((sky.pk, seed.skye.pk)))]
    assert pair.status == CandidateStatus.OPEN and pair.comparisons == event.changes["comparisons"]
