"""A request to another agency raised from a gap names the gap in a hidden
field, and requirement 14 counts a gap so named as "a request to another
agency considered". The key is checked, never trusted: it must name an open
gap of this family about the person asked about, missing what is asked.
Anything else is refused with a GOV.UK error, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.gaps import models as gm
from kinmap.records import models as m
from kinmap.records.errors import RecordError
from kinmap.sharing import services as sh
from kinmap.sharing.models import InformationRequest

from .world import World, askable_gap, build_world

pytestmark = pytest.mark.django_db

WHAT = "fact:adult-services"


def _post(world: World, gap_key: str, what: str = WHAT) -> Any:
    client = Client()
    client.force_login(world.lead)
    return client.post(
        reverse("request-new", args=[world.network.pk, world.father.pk]),
        {
            "what": what,
            "to_agency": world.agencies["social"].pk,
            "lawful_basis": "safeguarding",
            "purpose": "Father has the baby overnight; any known involvement matters.",
            "urgency": "standard",
            "gap_key": gap_key,
        },
    )


def _forged_keys(world: World) -> dict[str, tuple[str, str]]:
    """Keys (and what is asked) a hidden field could be edited to."""
    fathers = askable_gap(world.network, world.father, WHAT)
    return {
        "another person's gap": (askable_gap(world.network, world.mother, WHAT), WHAT),
        "a gap that is not missing what is asked": (fathers, "email"),
        "a made-up key": (f"R14-agency-request:person:{world.father.pk}", WHAT),
    }


def test_a_forged_gap_key_is_refused_on_the_page_and_nothing_is_saved() -> None:
    world = build_world()
    before = InformationRequest.objects.count()
    for why, (key, what) in _forged_keys(world).items():
        response = _post(world, key, what)
        assert response.status_code == 200, why
        page = response.content.decode().replace("&#x27;", "'")
        assert "govuk-error-summary" in page, why
        assert sh.NOT_FROM_THIS_GAP in page, why
    assert InformationRequest.objects.count() == before


def test_the_service_refuses_a_forged_gap_key_too() -> None:
    world = build_world()
    before = InformationRequest.objects.count()
    for why, (key, what) in _forged_keys(world).items():
        with pytest.raises(RecordError) as err:
            sh.information_request_create(
                actor=world.lead,
                network=world.network,
                person=world.father,
                what=what,
                to_agency=world.agencies["social"],
                lawful_basis="safeguarding",
                purpose="He has the baby overnight.",
                urgency="standard",
                gap_key=key,
            )
        assert err.value.messages == [sh.NOT_FROM_THIS_GAP], why
    assert InformationRequest.objects.count() == before


def test_the_gap_the_page_offered_is_kept_with_the_request() -> None:
    world = build_world()
    key = askable_gap(world.network, world.father, WHAT)
    assert _post(world, f"  {key} ").status_code == 302
    assert InformationRequest.objects.latest("pk").gap_key == key
    # and a request not raised from a gap names none
    assert _post(world, "").status_code == 302
    assert InformationRequest.objects.latest("pk").gap_key == ""


def test_a_gap_closed_here_is_refused_though_open_in_another_family() -> None:
    world = build_world()
    key = askable_gap(world.network, world.father, WHAT)
    gap = gm.Gap.objects.get(network=world.network, key=key)
    gm.Gap.objects.filter(pk=gap.pk).update(resolved_at=timezone.now())
    # the father's other family, where the same gap is still open
    other = m.FamilyNetwork.objects.create(name="The father's other family")
    m.NetworkMember.objects.create(network=other, person=world.father)
    gap.pk, gap.network = None, other
    gap.save()
    response = _post(world, key)
    assert response.status_code == 200
    assert sh.NOT_FROM_THIS_GAP in response.content.decode().replace("&#x27;", "'")
    assert not InformationRequest.objects.filter(gap_key=key).exists()
