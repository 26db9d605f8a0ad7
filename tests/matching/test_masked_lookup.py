"""A lookup never confirms a masked detail to a user not entitled to it:
search (page and API) and the check before adding a person leave masked
postcodes and telephone numbers out of the records they score, and a person
found only through one of them is not found at all."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role
from kinmap.core.matching import MatchRecord
from kinmap.matching.lookup import candidates
from tests.access.world import CANARY_ADDRESS, CANARY_PHONE, CANARY_POSTCODE, build_world

pytestmark = pytest.mark.django_db


def _search_page(user, **params: str) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(reverse("person-search"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_masked_postcode_finds_no_one_for_a_user_not_entitled_and_the_family_for_one_who_is() -> None:
    world = build_world(masked=True)
    not_entitled = world.lead  # health: allocated to the family, not entitled to masked details
    page = _search_page(not_entitled, postcode=CANARY_POSTCODE)
    assert "No one found" in page and "Testmother" not in page
    entitled = world.users[(Role.SUPERVISOR.value, "social-allocated")]
    page = _search_page(entitled, postcode=CANARY_POSTCODE)
    assert "No one found" not in page and "Testmother" in page


def test_the_api_search_is_the_same() -> None:
    world = build_world(masked=True)
    client = Client()
    client.force_login(world.lead)
    answer = client.get("/api/v1/people/search", {"postcode": CANARY_POSTCODE})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Testmother" not in body and "same postcode" not in body
    assert CANARY_ADDRESS not in body and CANARY_PHONE not in body


def test_a_name_with_the_masked_postcode_scores_without_it_for_a_user_not_entitled() -> None:
    build_world(masked=True)
    query = MatchRecord(given_name="Mara", family_name="Testmother", postcodes=(CANARY_POSTCODE,))
    hidden = candidates(query, with_masked=False)
    # with the masked postcode, her baby (who lives there too) is a candidate as well
    shown = [c for c in candidates(query, with_masked=True) if c.record.given_name == "Mara"]
    assert [c.record.given_name for c in hidden] == ["Mara"] == [c.record.given_name for c in shown]
    (h,), (s,) = hidden, shown
    assert h.record.postcodes == () and s.record.postcodes == (CANARY_POSTCODE,)
    levels = {c.comparison: c.level for c in h.score.contributions}
    assert levels["postcode"] is None  # not compared: nothing to agree or disagree with
    assert h.score.probability < s.score.probability


def test_a_masked_telephone_number_is_left_out_too() -> None:
    world = build_world(masked=True)
    world.mother.refresh_from_db()
    query = MatchRecord(given_name="Mara", family_name="Testmother", phones=(world.mother.phone,))
    (h,) = candidates(query, with_masked=False)
    assert h.record.phones == ()
    assert "phone" not in " ".join(h.score.reasons).lower()
