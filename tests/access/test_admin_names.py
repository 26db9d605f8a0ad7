"""The names of practitioners, agencies and teams are shown to every other user:
they are checked as people's names in a family are (kinmap.core.text). A
refusal shows against the field and saves nothing."""

from __future__ import annotations

import html as htmllib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.audit.models import AuditEvent

from .world import build_world

HIDDEN = "must not include hidden characters, such as zero-width spaces or text direction controls"
RLO = "\u202e"


def _post(path: str, data: dict[str, Any]) -> tuple[str, dict[str, int]]:
    world = build_world()
    client = Client()
    client.force_login(world.user(Role.ADMINISTRATOR, "health-unallocated"))
    if "team" in data:
        data = {**data, "team": world.teams["health-allocated"].pk}
    if "agency" in data:
        data = {**data, "agency": world.agencies["health"].pk}
    before = {model.__name__: model.objects.count() for model in (User, Agency, Team, AuditEvent)}
    response = client.post(reverse(path), data)
    assert response.status_code == 200
    after = {model.__name__: model.objects.count() for model in (User, Agency, Team, AuditEvent)}
    assert after == before
    return htmllib.unescape(response.content.decode()), after


def field_error(field: str, message: str) -> str:
    return (
        f'<p id="id_{field}-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {message}</p>'
    )


USER = {
    "username": "new.visitor",
    "first_name": "Nia",
    "last_name": "Visitor",
    "team": "",
    "role": "practitioner",
    "password1": "lantern-orchard-47-violet",
    "password2": "lantern-orchard-47-violet",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data", "field", "message"),
    [
        (
            "manage-user-new",
            {**USER, "last_name": f"Visi{RLO}rot"},
            "last_name",
            f"Family name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            "manage-user-new",
            {**USER, "first_name": "\u0301"},
            "first_name",
            "Enter a given name that contains at least one letter",
        ),
        (
            "manage-teams",
            {"form": "agency", "agency_name": "Northshire\u200b Police", "kind": "police"},
            "agency_name",
            f"Agency name {HIDDEN} (it has U+200B ZERO WIDTH SPACE)",
        ),
        (
            "manage-teams",
            {"form": "team", "agency": "", "name": f"MASH{RLO}"},
            "name",
            f"Team name {HIDDEN} (it has U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
    ],
)
def test_names_of_practitioners_agencies_and_teams_that_are_not_what_they_seem_are_refused(
    path: str, data: dict[str, Any], field: str, message: str
) -> None:
    page, _ = _post(path, data)
    assert field_error(field, message) in page


@pytest.mark.django_db
def test_a_team_name_typed_decomposed_is_the_same_team() -> None:
    """Uniqueness compares the stored (NFC) names, so "Équipe" typed with a
    combining accent is the team already there."""
    world = build_world()
    client = Client()
    client.force_login(world.user(Role.ADMINISTRATOR, "health-unallocated"))
    agency = world.agencies["health"].pk
    url = reverse("manage-teams")
    assert client.post(url, {"form": "team", "agency": agency, "name": "\u00c9quipe Est"}).status_code == 302
    again = client.post(url, {"form": "team", "agency": agency, "name": "E\u0301quipe  Est"})
    assert "This agency already has a team with that name" in htmllib.unescape(again.content.decode())
    assert Team.objects.filter(name="\u00c9quipe Est").count() == 1
