"""Starting a family network never silently adds a child already on the
record: the start page goes through the same check as adding a person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m

from .conftest import CANARIES, Seed, post_deciding, signed_in_as

SKYE_TYPED = {
    "given_name": "Skye",
    "family_name": "Price",
    "sex": "female",
    "birth_date_0": "2",
    "birth_date_1": "5",
    "birth_date_2": "2021",
    "birth_date_accuracy": "accurate",
}


def _post(user: User, **extra: str) -> tuple[int, str, str]:
    """The start page with ``extra``; a decision is sent from the possible
    matches page, as on the pages."""
    decision = {k: extra.pop(k) for k in ("match_decision", "match_reason") if k in extra}
    client = signed_in_as(user)
    response = post_deciding(client, reverse("network-start"), {**SKYE_TYPED, **extra}, **decision)
    return response.status_code, response.content.decode(), response.get("Location", "")


@pytest.mark.django_db
def test_a_likely_match_is_shown_before_the_family_is_started(owner: User, seed: Seed) -> None:
    people, networks = m.Person.objects.count(), m.FamilyNetwork.objects.count()
    status, page, _ = _post(owner)
    assert status == 200
    assert "Is Skye Price already on the record?" in page
    assert "Before starting the family network, we looked for them" in page
    assert "A person held by Northshire Children&#x27;s Social Care" in page
    assert "Same name and date of birth" in page
    for canary in CANARIES:
        if canary != "Skye":  # typed by the health visitor, shown back to her
            assert canary not in page, canary
    assert '<input type="hidden" name="birth_date_2" value="2021">' in page
    assert (m.Person.objects.count(), m.FamilyNetwork.objects.count()) == (people, networks)


@pytest.mark.django_db
def test_linking_starts_the_family_around_the_existing_child(owner: User, seed: Seed) -> None:
    people = m.Person.objects.count()
    status, _, location = _post(owner, match_decision=f"link-{seed.skye.pk}")
    assert status == 302
    assert m.Person.objects.count() == people
    network = m.FamilyNetwork.objects.exclude(pk=seed.social_network.pk).get()
    assert location == reverse("family", args=[network.pk])
    assert m.NetworkMember.objects.get(network=network, person=seed.skye).is_index
    assert network.allocations.get().team_id == owner.team_id
    link = AuditEvent.objects.get(action="link")
    assert link.network_id == network.pk and link.actor == owner
    assert link.reason.startswith("same name and date of birth")
    # social care's family stays theirs alone, its details unseen
    client = signed_in_as(owner)
    assert client.get(reverse("family", args=[seed.social_network.pk])).status_code == 404
    # nor her father's name: he is recorded in social care's family only
    pages = {
        name: client.get(reverse(name, args=[network.pk])).content.decode()
        for name in ("family", "chronology")
    }
    for name, page in pages.items():
        for canary in ("07700 900431", "14 Canary Walk", "NE2 9QT", "Jordan", "7 March 1994"):
            assert canary not in page, (name, canary)
    assert (
        'Birth father</dt><dd class="govuk-summary-list__value">Recorded in a family network you cannot '
        "see, known to Northshire Children&#x27;s Social Care" in pages["family"]
    )


@pytest.mark.django_db
def test_a_new_child_needs_a_reason_which_is_audited(owner: User, seed: Seed) -> None:
    status, page, _ = _post(owner, match_decision="new")
    assert status == 200
    assert "Say why this is a different person" in page
    assert m.FamilyNetwork.objects.count() == 1
    status, _, _ = _post(owner, match_decision="new", match_reason="Born in Leeds, another Skye")
    assert status == 302
    new = m.Person.objects.exclude(pk=seed.skye.pk).get(given_name="Skye")
    assert m.NetworkMember.objects.get(person=new).is_index
    event = AuditEvent.objects.get(action="confirm_new")
    assert event.object_id == str(new.pk)
    assert event.reason == "Born in Leeds, another Skye"
    assert event.changes["not"][0]["person"] == seed.skye.pk


@pytest.mark.django_db
def test_a_forged_choice_is_refused(owner: User, seed: Seed) -> None:
    status, page, _ = _post(owner, match_decision=f"link-{seed.jordan.pk}")
    assert status == 200
    assert "govuk-error-summary" in page
    assert m.FamilyNetwork.objects.count() == 1
    assert not AuditEvent.objects.filter(action="link").exists()


@pytest.mark.django_db
def test_a_child_unlike_anyone_starts_the_family_at_once(owner: User, seed: Seed) -> None:
    status, _, _ = _post(owner, given_name="Amara", family_name="Nwosu", birth_date_2="2024")
    assert status == 302
    assert m.NetworkMember.objects.get(person__given_name="Amara").is_index
    assert not AuditEvent.objects.filter(action="confirm_new").exists()


@pytest.mark.django_db
def test_an_nhs_number_held_by_someone_else_is_refused(owner: User, seed: Seed) -> None:
    status, page, _ = _post(
        owner,
        given_name="Kai",
        family_name="Other",
        nhs_number="9434765919",
        match_decision="new",
        match_reason="different child",
    )
    assert status == 200
    assert "This NHS number is already recorded for someone else" in page
    assert m.FamilyNetwork.objects.count() == 1
