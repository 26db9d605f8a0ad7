"""Every page needs a signed-in user."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

PAGES = [
    ("my-families", {}),
    ("network-start", {}),
    ("family", {"network_id": 1}),
    ("person-add", {"network_id": 1}),
    ("person-edit", {"network_id": 1, "person_id": 1}),
    ("relationship-add", {"network_id": 1}),
    ("residence-add", {"network_id": 1}),
    ("care-add", {"network_id": 1}),
    ("care-edit", {"network_id": 1, "care_id": 1}),
    ("person", {"network_id": 1, "person_id": 1}),
    ("other-name-add", {"network_id": 1, "person_id": 1}),
    ("relationship-edit", {"network_id": 1, "rel_id": 1}),
    ("relationship-remove", {"network_id": 1, "rel_id": 1}),
    ("residence-edit", {"network_id": 1, "residence_id": 1}),
    ("household-edit", {"network_id": 1, "household_id": 1}),
    ("pr-add", {"network_id": 1}),
    ("pr-edit", {"network_id": 1, "pr_id": 1}),
    ("contact-start", {"network_id": 1}),
    ("contact", {"network_id": 1, "contact_id": 1}),
    ("contact-gap-outcome", {"network_id": 1, "contact_id": 1, "gap_id": 1}),
    ("contact-gap-answer", {"network_id": 1, "contact_id": 1, "gap_id": 1, "kind": "birth-date"}),
    ("contact-household", {"network_id": 1, "contact_id": 1, "household_id": 1}),
    ("contact-not-asked-rest", {"network_id": 1, "contact_id": 1}),
    ("contact-close", {"network_id": 1, "contact_id": 1}),
    ("gaps-history", {"network_id": 1}),
    ("gaps-supervision", {"network_id": 1}),
    ("gap-not-applicable", {"network_id": 1, "gap_id": 1}),
    ("supervisor-dashboard", {}),
    ("gaps-rule-settings", {}),
    ("gaps-rule-setting-edit", {"rule_id": "R02-birth-father"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_page_redirects_to_sign_in(client: Client, name: str, kwargs: dict[str, int]) -> None:
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_sign_in_page_is_public(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in to kinmap" in response.content
