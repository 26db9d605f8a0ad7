"""404 alike for a missing record, a forbidden one and an id that could not be
a record's, on every page and API route: nobody can tell a masked or another
agency's record from one that does not exist, and no odd id reaches the
database (where a 20-digit one overflows a 64-bit key and fails)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Role
from kinmap.records import models as m
from kinmap.web.converters import MAX_ID

from .snapshot import fingerprint
from .test_authorization_matrix import MATRIX, url_params
from .world import build_world

# tokens drawn afresh for each page: the CSRF token and the form's one-time token
CSRF_TOKEN = re.compile(rb'name="(?:csrfmiddlewaretoken|submission)" value="[^"]+"')

SENTINEL = 7_654_321  # an id no test record has, replaced in the URL's text
ODD_IDS = ("9" * 20, str(MAX_ID + 1), "0")
ROUTES_WITH_IDS = sorted({(r[0], r[1]) for r in MATRIX if {p for p in url_params(r[0]) if p.endswith("_id")}})


def _odd_urls(kwargs: dict[str, int | str], name: str) -> list[str]:
    """The URL with each of its ids in turn replaced by each odd id."""
    params = url_params(name)
    out = []
    for param in sorted(p for p in params if p.endswith("_id") and p != "rule_id"):
        url = reverse(name, kwargs={k: SENTINEL if k == param else kwargs[k] for k in params})
        out += [url.replace(str(SENTINEL), odd) for odd in ODD_IDS]
    return out


def test_every_route_with_an_id_is_walked() -> None:
    names = {name for name, _ in ROUTES_WITH_IDS}
    assert {
        "family",
        "household-edit",
        "api:family",
        "api:family_fhir",
        "audit-user",
        "material-edit",
    } <= names


@pytest.mark.django_db
def test_every_route_answers_404_for_an_id_out_of_range() -> None:
    world = build_world()
    kwargs = world.kwargs()
    users = [
        world.lead,
        world.user(Role.SUPERVISOR, "social-allocated"),
        world.user(Role.INFORMATION_OFFICER, "social-allocated"),
        world.user(Role.ADMINISTRATOR, "health-allocated"),
        world.user(Role.AUDITOR, "health-allocated"),
    ]
    checked, wrong = 0, []
    before = fingerprint()
    for user in users:
        client = Client()
        client.force_login(user)
        for name, method in ROUTES_WITH_IDS:
            for url in _odd_urls(kwargs, name):
                response = client.post(url, {}) if method == "POST" else client.get(url)
                checked += 1
                if response.status_code != 404:
                    wrong.append(f"{method} {url} as {user.username}: {response.status_code}")
                elif name.startswith("api:"):
                    assert response["Content-Type"] == "application/problem+json"
                    assert response.json()["status"] == 404
    assert wrong == [], f"{checked} URL/user pairs checked; not 404: {wrong}"
    assert fingerprint() == before  # nothing read, nothing saved


@pytest.mark.django_db
def test_a_masked_households_id_answers_like_a_missing_one() -> None:
    """The world's refuge address is masked and nobody in the health agency is
    entitled to masked details."""
    world = build_world(masked=True)
    network = world.network.pk
    household = m.Household.objects.get(pk=world.residence.household_id)
    assert household.masked
    missing = (m.Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    client = Client()
    client.force_login(world.lead)
    before = fingerprint()
    for method in ("GET", "POST"):
        answers = []
        for hid in (household.pk, missing):
            url = reverse("household-edit", args=[network, hid])
            data = {"address_line_1": "1 Changed Road", "postcode": "ZZ99 1ZZ", "version": household.version}
            response = client.post(url, data) if method == "POST" else client.get(url)
            # the page's sign-out form carries a CSRF token masked afresh for each
            # page, and a one-time token
            page = CSRF_TOKEN.sub(b"csrf", response.content)
            answers.append((response.status_code, page))
        assert answers[0] == answers[1], method
        assert answers[0][0] == 404
    household.refresh_from_db()
    assert household.address_line_1 != "1 Changed Road"
    assert fingerprint() == before  # and the refusal recorded no read of the family


@pytest.mark.django_db
def test_the_api_answers_404_not_422_for_an_id_that_is_not_a_number() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    for path in ("/api/v1/families/not-a-number", f"/api/v1/families/{'9' * 20}/fhir"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "No family network found"
    missing = client.get(f"/api/v1/families/{world.network.pk + 1000}")
    assert missing.json() == client.get(f"/api/v1/families/{'9' * 20}").json()


@pytest.mark.django_db
def test_a_typed_network_reference_out_of_range_is_refused_with_a_message() -> None:
    """The forms that ask for a family network reference: the administrator's
    allocations, the auditor's trail and emergency access."""
    world = build_world()
    asks = [
        (world.user(Role.ADMINISTRATOR, "health-allocated"), "GET", reverse("manage-allocations")),
        (world.user(Role.AUDITOR, "health-allocated"), "GET", reverse("audit-home")),
        (world.user(Role.PRACTITIONER, "health-unallocated"), "POST", reverse("break-glass")),
    ]
    before = {k: v for k, v in fingerprint().items() if k != "audit"}
    for user, method, url in asks:
        client = Client()
        client.force_login(user)
        for odd in ("9" * 20, str(MAX_ID + 1)):
            data = {"network": odd, "reason": "A child is at risk tonight", "hours": "2"}
            response = client.post(url, data) if method == "POST" else client.get(url, {"network": odd})
            assert response.status_code == 200, (url, odd)
            assert "There is no family network with this reference" in response.content.decode(), (url, odd)
    assert {k: v for k, v in fingerprint().items() if k != "audit"} == before
