"""The review queue, the pair page, merging, "different people" and undoing a
merge, through the pages, as each kind of user."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kinmap.accounts.models import MaskedDetailEntitlement, Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.merging.models import CandidateStatus, MatchCandidate, Merge
from kinmap.records import models as m
from tests.conftest import PASSWORD, make_user

from .conftest import TwoRecords, family_snapshot

pytestmark = pytest.mark.django_db

COMPARISONS = [
    {"name": "nhs_number", "label": None, "weight": 0.0},
    {"name": "given_name", "label": "similar given name", "weight": 3.2},
    {"name": "family_name", "label": "same family name", "weight": 6.1},
    {"name": "date_of_birth", "label": None, "weight": 0.0},
    {"name": "postcode", "label": None, "weight": 0.0},
    {"name": "phone", "label": "different phone number", "weight": -4.5},
]


def _candidate(a: m.Person, b: m.Person, probability: float = 0.93) -> MatchCandidate:
    return MatchCandidate.objects.create(
        person_a=a,
        person_b=b,
        probability=probability,
        match_weight=3.7,
        comparisons=COMPARISONS,
        scored_at=timezone.now(),
    )


def _client(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _text(response: object) -> str:
    raw = re.sub(r"<[^>]+>", " ", response.content.decode())  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", html.unescape(raw))


def test_the_queue_lists_pairs_most_likely_first_in_a_fixed_number_of_queries(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    _candidate(r.first, r.second, 0.7)
    _candidate(r.son, r.daughter, 0.95)
    client = _client(supervisor)
    client.get("/likely-duplicates/")
    with CaptureQueriesContext(connection) as two:
        text = _text(client.get("/likely-duplicates/"))
    assert text.index("Alfie Merrow") < text.index("Daniel Merrow")  # 95% before 70%
    assert "95%" in text and "70%" in text
    for i in range(6):
        p = m.Person.objects.create(given_name=f"Extra{i}", family_name="Merrow")
        m.NetworkMember.objects.create(network=r.son_net, person=p)
        _candidate(r.first, p, 0.6)
    with CaptureQueriesContext(connection) as eight:
        client.get("/likely-duplicates/")
    assert len(eight) == len(two)


def test_the_pair_page_shows_both_records_and_each_comparison_in_words(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    c = _candidate(r.first, r.second)
    text = _text(_client(supervisor).get(f"/likely-duplicates/{c.pk}/"))
    assert "Daniel Merrow" in text and "Dan Merrow" in text and "Danny Merrow (Alias" in text
    assert "Match probability: 93.0%" in text
    assert "Same family name Strong evidence for one person +6.1" in text
    assert "Similar given name Moderate evidence for one person +3.2" in text
    assert "Different phone number Moderate evidence against one person -4.5" in text
    assert "missing on one record" in text
    reads = AuditEvent.objects.filter(action="view", object_type="match-candidate", object_id=str(c.pk))
    assert set(reads.values_list("network_id", flat=True)) == {r.son_net.pk, r.daughter_net.pk}


def test_merging_asks_for_a_reason_then_confirmation_and_can_be_undone(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    people = (r.first.pk, r.second.pk, r.son.pk, r.daughter.pk)
    before = family_snapshot(*people)
    c = _candidate(r.first, r.second)
    client = _client(supervisor)
    missing = client.post(f"/likely-duplicates/{c.pk}/merge/", {"merge-reason": ""})
    assert missing.status_code == 400 and "Enter the reason" in _text(missing)
    confirm = client.post(f"/likely-duplicates/{c.pk}/merge/", {"merge-reason": "Same NHS number at the GP"})
    assert confirm.status_code == 200 and "Merge these two records?" in _text(confirm)
    assert not Merge.objects.exists()
    done = client.post(
        f"/likely-duplicates/{c.pk}/merge/",
        {"merge-reason": "Same NHS number at the GP", "merge-confirm": "True"},
    )
    merge = Merge.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/merges/{merge.pk}/"
    assert MatchCandidate.objects.get().status == CandidateStatus.MERGED
    page = _text(client.get(f"/merges/{merge.pk}/"))
    assert "Dan Merrow merged into Daniel Merrow" in page and "Same NHS number at the GP" in page
    client.post(f"/merges/{merge.pk}/undo/", {"undo-reason": "Brothers", "undo-confirm": "True"})
    assert family_snapshot(*people) == before
    assert MatchCandidate.objects.get().status == CandidateStatus.OPEN
    assert AuditEvent.objects.filter(action="unmerge", reason="Brothers").count() == 2


def test_different_people_are_never_offered_again(two_records: TwoRecords, supervisor: User) -> None:
    r = two_records
    c = _candidate(r.first, r.second)
    client = _client(supervisor)
    client.post(
        f"/likely-duplicates/{c.pk}/different/",
        {"different-reason": "Father and son", "different-confirm": "1"},
    )
    c.refresh_from_db()
    assert c.status == CandidateStatus.DIFFERENT and c.reason == "Father and son"
    assert "No likely duplicates are waiting" in _text(client.get("/likely-duplicates/"))


def test_a_record_in_a_family_the_reviewer_cannot_see_shows_only_who_holds_it(
    two_records: TwoRecords, supervisor: User, social_team: Team
) -> None:
    r = two_records
    elsewhere = m.FamilyNetwork.objects.create(name="Elsewhere")
    m.Allocation.objects.create(network=elsewhere, team=social_team, start=date(2020, 1, 1))
    stranger = m.Person.objects.create(given_name="Danielle", family_name="Merrow", nhs_number="9434765870")
    m.NetworkMember.objects.create(network=elsewhere, person=stranger)
    c = _candidate(r.first, stranger)
    client = _client(supervisor)
    text = _text(client.get(f"/likely-duplicates/{c.pk}/"))
    assert "Held by Northshire Children's Social Care" in text
    assert "Danielle" not in text and "9434765870" not in text
    assert "shown only to someone who may see both records" in text
    assert "Continue to merge" not in text
    refused = client.post(f"/likely-duplicates/{c.pk}/merge/", {"merge-reason": "x", "merge-confirm": "1"})
    assert refused.status_code == 404 and not Merge.objects.exists()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.SUPERVISOR, Role.AUDITOR])
def test_nobody_else_finds_a_pair(two_records: TwoRecords, social_team: Team, role: str) -> None:
    c = _candidate(two_records.first, two_records.second)
    user = make_user(f"other.{role}", social_team, role)
    response = _client(user).get(f"/likely-duplicates/{c.pk}/")
    assert response.status_code in (403, 404)
    if role == Role.SUPERVISOR:  # a reviewer of other families: as if no such pair
        assert response.status_code == 404
        assert _client(user).get("/likely-duplicates/999999/").status_code == 404


def test_an_information_officer_reviews_their_own_teams_families(
    two_records: TwoRecords, health_team: Team
) -> None:
    c = _candidate(two_records.first, two_records.second)
    officer = make_user("hv.records", health_team, Role.INFORMATION_OFFICER)
    assert "Continue to merge" in _text(_client(officer).get(f"/likely-duplicates/{c.pk}/"))


def test_masked_details_stay_masked_and_say_nothing_through_the_comparison(
    two_records: TwoRecords, supervisor: User
) -> None:
    r = two_records
    m.Person.objects.filter(pk=r.second.pk).update(phone_masked=True)
    c = _candidate(r.first, r.second)
    client = _client(supervisor)
    text = _text(client.get(f"/likely-duplicates/{c.pk}/"))
    assert "07700900123" not in text and "Different phone number" not in text
    MaskedDetailEntitlement.objects.create(agency=supervisor.team.agency, role=Role.SUPERVISOR)  # type: ignore[union-attr]
    assert "07700900123" in _text(
        _client(User.objects.get(pk=supervisor.pk)).get(f"/likely-duplicates/{c.pk}/")
    )
