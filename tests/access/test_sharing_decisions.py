"""The log of decisions to share or not to share, per family."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.audit.models import AuditEvent
from kinmap.sharing.models import SharingDecision

from .world import build_world

GOOD = {
    "decision": "not-share",
    "what": "Mother's new address",
    "with_whom": "The father",
    "lawful_basis": "safeguarding",
    "rationale": "Sharing could put the mother and baby at risk.",
    "family_told": "no",
    "family_not_told_reason": "The father must not learn of the decision.",
}


@pytest.mark.django_db
def test_recording_a_decision_from_the_family_page() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    url = reverse("sharing-log", args=[world.network.pk])
    assert client.post(url, GOOD).status_code == 302
    d = SharingDecision.objects.filter(network=world.network).first()
    assert d is not None
    assert (
        d.decision,
        d.what,
        d.with_whom,
        d.family_told,
        d.family_not_told_reason,
        d.decided_by_agency,
    ) == (
        "not-share",
        "Mother's new address",
        "The father",
        False,
        "The father must not learn of the decision.",
        "Northshire Community Health",
    )
    event = AuditEvent.objects.get(object_type="sharing_decision", object_id=str(d.pk))
    assert event.reason == "Sharing could put the mother and baby at risk."
    page = client.get(url).content.decode()
    assert "Not shared: Mother&#x27;s new address" in page
    assert "No: The father must not learn of the decision." in page


@pytest.mark.django_db
def test_not_told_without_a_reason_is_refused_and_nothing_saved() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    before = SharingDecision.objects.count()
    response = client.post(
        reverse("sharing-log", args=[world.network.pk]), {**GOOD, "family_not_told_reason": ""}
    )
    assert response.status_code == 200
    assert "Say why the family has not been told" in response.content.decode()
    assert SharingDecision.objects.count() == before


@pytest.mark.django_db
def test_database_refuses_not_told_without_reason() -> None:
    from django.db import IntegrityError, transaction

    world = build_world()
    with pytest.raises(IntegrityError), transaction.atomic():
        SharingDecision.objects.filter(pk=world.decision.pk).update(
            family_told=False, family_not_told_reason=""
        )
