"""The partnership administrator manages users, teams, allocations and masked
detail entitlements, without reading families."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts import services
from kinmap.accounts.models import MaskedDetailEntitlement, Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.records import models as m
from kinmap.records.access import can_see_network
from kinmap.records.errors import RecordError

from .world import World, build_world


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.user(Role.ADMINISTRATOR, "health-unallocated"))
    return client


@pytest.mark.django_db
def test_create_a_user_with_a_good_password() -> None:
    world = build_world()
    client = _admin(world)
    response = client.post(
        reverse("manage-user-new"),
        {
            "username": "New.Visitor",
            "first_name": "Nia",
            "last_name": "Visitor",
            "team": world.teams["health-allocated"].pk,
            "role": "practitioner",
            "password1": "lantern-orchard-47-violet",
            "password2": "lantern-orchard-47-violet",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.visitor")
    assert user.check_password("lantern-orchard-47-violet")
    assert AuditEvent.objects.filter(action="create", object_type="user", object_id=str(user.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("918273645546372", "This password is entirely numeric."),
    ],
)
def test_password_policy(password: str, message: str) -> None:
    world = build_world()
    before = User.objects.count()
    response = _admin(world).post(
        reverse("manage-user-new"),
        {
            "username": "weak.user",
            "team": world.teams["health-allocated"].pk,
            "role": "practitioner",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert password not in response.content.decode()
    assert User.objects.count() == before


@pytest.mark.django_db
def test_deactivate_asks_for_confirmation_then_stops_sign_in() -> None:
    world = build_world()
    client = _admin(world)
    url = reverse("manage-user-deactivate", args=[world.target_user.pk])
    page = client.get(url).content.decode()
    assert "Deactivate target-user?" in page
    assert User.objects.get(pk=world.target_user.pk).is_active
    assert client.post(url, {"reason": "Left the service"}).status_code == 302
    assert not User.objects.get(pk=world.target_user.pk).is_active
    event = AuditEvent.objects.get(action="deactivate")
    assert (event.changes, event.reason) == ({"is_active": [True, False]}, "Left the service")


@pytest.mark.django_db
def test_allocate_and_remove_with_confirmation() -> None:
    world = build_world()
    client = _admin(world)
    west = world.teams["health-unallocated"]
    nurse = world.user(Role.PRACTITIONER, "health-unallocated")
    assert not can_see_network(nurse, world.network.pk)
    url = reverse("manage-network-allocations", args=[world.network.pk])
    page = client.get(url).content.decode()
    assert "Testbaby" not in page and "Rowan" not in page  # no family data for administrators
    assert client.post(url, {"team": west.pk}).status_code == 302
    assert can_see_network(nurse, world.network.pk)
    alloc = m.Allocation.objects.get(network=world.network, team=west)
    remove = reverse("manage-allocation-remove", args=[alloc.pk])
    confirm = client.get(remove).content.decode()
    assert "Remove Health visiting west (Northshire Community Health) from family network" in confirm
    assert can_see_network(nurse, world.network.pk)  # nothing happens until confirmed
    assert client.post(remove, {"reason": "Case closed"}).status_code == 302
    assert not can_see_network(nurse, world.network.pk)
    actions = list(AuditEvent.objects.filter(object_type="allocation").values_list("action", flat=True))
    assert actions == ["allocate", "deallocate"]
    # allocating again re-opens the same allocation
    assert client.post(url, {"team": west.pk}).status_code == 302
    assert can_see_network(nurse, world.network.pk)


@pytest.mark.django_db
def test_allocation_list_shows_references_and_teams_but_no_names() -> None:
    world = build_world()
    page = _admin(world).get(reverse("manage-allocations")).content.decode()
    assert "Health visiting east (Northshire Community Health)" in page
    assert "Testbaby" not in page


@pytest.mark.django_db
def test_entitlements_by_agency_and_role() -> None:
    world = build_world()
    client = _admin(world)
    health = world.agencies["health"].pk
    social = world.agencies["social"].pk
    response = client.post(
        reverse("manage-entitlements"), {"cell": [f"{health}:practitioner"], "loaded": f"{social}:supervisor"}
    )
    assert response.status_code == 302
    assert set(MaskedDetailEntitlement.objects.values_list("agency_id", "role")) == {(health, "practitioner")}
    assert list(
        AuditEvent.objects.filter(object_type="masked_entitlement").values_list("action", flat=True)
    ) == [
        "grant",
        "revoke",
    ]


@pytest.mark.django_db
def test_create_team_and_agency() -> None:
    world = build_world()
    client = _admin(world)
    assert (
        client.post(
            reverse("manage-teams"), {"form": "agency", "agency_name": "Northshire Police", "kind": "police"}
        ).status_code
        == 302
    )
    police = world.agencies["health"].__class__.objects.get(name="Northshire Police")
    assert (
        client.post(
            reverse("manage-teams"), {"form": "team", "agency": police.pk, "name": "MASH"}
        ).status_code
        == 302
    )
    assert Team.objects.filter(agency=police, name="MASH").exists()
    again = client.post(reverse("manage-teams"), {"form": "team", "agency": police.pk, "name": "mash"})
    assert "This agency already has a team with that name" in again.content.decode()


@pytest.mark.django_db
def test_entitlements_changed_since_the_page_loaded_are_not_overwritten() -> None:
    """The table has no version column: the cells ticked when the page loaded
    stand for it. Sent without them, or with cells that are no longer what is
    saved, the change is refused with the stale-edit message and nothing saved."""
    world = build_world()
    client = _admin(world)
    health, social = world.agencies["health"].pk, world.agencies["social"].pk
    url = reverse("manage-entitlements")
    assert f'name="loaded" value="{social}:supervisor"' in client.get(url).content.decode()
    before = set(MaskedDetailEntitlement.objects.values_list("agency_id", "role"))
    audited = AuditEvent.objects.filter(object_type="masked_entitlement").count()
    summaries = []
    for loaded in ({}, {"loaded": ""}, {"loaded": f"{social}:supervisor {health}:supervisor"}):
        response = client.post(url, {"cell": [f"{health}:practitioner"], **loaded})
        html = response.content.decode()
        assert response.status_code == 200
        start = html.index("govuk-error-summary__list")
        summaries.append(html[start : html.index("</ul>", start)])
        assert set(MaskedDetailEntitlement.objects.values_list("agency_id", "role")) == before
        assert AuditEvent.objects.filter(object_type="masked_entitlement").count() == audited
        assert f'value="{health}:practitioner" checked' in html  # what was ticked is kept
        assert f'value="{social}:supervisor">' in html  # ... and not what was saved
        assert f'name="loaded" value="{social}:supervisor"' in html  # saving again replaces it
    assert "This table of who may see masked details has changed since this page loaded" in summaries[0]
    assert len(set(summaries)) == 1


@pytest.mark.django_db
def test_name_an_agencys_designated_safeguarding_lead() -> None:
    world = build_world()
    client = _admin(world)
    health = world.agencies["health"]
    lead = world.user(Role.SUPERVISOR, "health-allocated")
    url = reverse("manage-agency-safeguarding-lead", args=[health.pk])
    page = client.get(url).content.decode()
    assert "Designated safeguarding lead" in page
    assert f'value="{lead.pk}"' in page
    assert f'value="{world.user(Role.SUPERVISOR, "social-allocated").pk}"' not in page  # another agency
    response = client.post(
        url, {"designated_safeguarding_lead": lead.pk, "reason": "New named nurse", "loaded": "0"}
    )
    assert response.status_code == 302
    health.refresh_from_db()
    assert health.designated_safeguarding_lead == lead
    event = AuditEvent.objects.get(action="update", object_type="agency", object_id=str(health.pk))
    assert event.changes == {"designated_safeguarding_lead": [None, lead.username]}
    assert event.reason == "New named nurse"
    teams = client.get(reverse("manage-teams")).content.decode()
    assert f"Designated safeguarding lead: {lead.display_name} ({lead.username})" in teams
    # and cleared again
    assert client.post(url, {"designated_safeguarding_lead": "", "loaded": lead.pk}).status_code == 302
    health.refresh_from_db()
    assert health.designated_safeguarding_lead is None


@pytest.mark.django_db
def test_a_safeguarding_lead_from_another_agency_is_refused_and_nothing_is_saved() -> None:
    world = build_world()
    health = world.agencies["health"]
    outsider = world.user(Role.SUPERVISOR, "social-allocated")
    before = AuditEvent.objects.count()
    response = _admin(world).post(
        reverse("manage-agency-safeguarding-lead", args=[health.pk]),
        {"designated_safeguarding_lead": outsider.pk, "loaded": "0"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose someone from the list, or no designated safeguarding lead" in html
    health.refresh_from_db()
    assert health.designated_safeguarding_lead is None
    assert AuditEvent.objects.count() == before
    # the service refuses the same, and someone who can no longer sign in
    inactive = world.user(Role.PRACTITIONER, "health-allocated")
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    for who in (outsider, inactive):
        with pytest.raises(RecordError) as exc:
            services.agency_safeguarding_lead_set(
                actor=world.user(Role.ADMINISTRATOR, "health-allocated"), agency=health, lead=who, expected=0
            )
        assert exc.value.messages == [
            "Choose someone who works in Northshire Community Health and can sign in"
        ]
    health.refresh_from_db()
    assert health.designated_safeguarding_lead is None
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_safeguarding_lead_named_on_a_page_loaded_before_another_change_is_refused() -> None:
    """Two administrators open the page while the agency has no lead; the first
    names one; the second's choice, made on the old page (or sent without saying
    which lead the page showed), is refused alike, and the first's lead is kept."""
    world = build_world()
    health = world.agencies["health"]
    url = reverse("manage-agency-safeguarding-lead", args=[health.pk])
    first = world.user(Role.SUPERVISOR, "health-allocated")
    second = world.user(Role.PRACTITIONER, "health-allocated")
    client = _admin(world)
    assert 'name="loaded" value="0"' in client.get(url).content.decode()
    assert client.post(url, {"designated_safeguarding_lead": first.pk, "loaded": "0"}).status_code == 302
    before = AuditEvent.objects.count()
    summaries = []
    for loaded in ({"loaded": "0"}, {}, {"loaded": ""}, {"loaded": "-1"}, {"loaded": "x"}):
        response = client.post(url, {"designated_safeguarding_lead": second.pk, **loaded})
        assert response.status_code == 200, loaded
        page = response.content.decode()
        start = page.index('class="govuk-error-summary"')
        summaries.append(page[start : page.index("</ul>", start)])
        health.refresh_from_db()
        assert health.designated_safeguarding_lead == first
        assert AuditEvent.objects.count() == before
    assert "has changed since this page loaded" in summaries[0]
    assert len(set(summaries)) == 1
    # the refused page now knows the lead saved now: saving again replaces it
    assert f'name="loaded" value="{first.pk}"' in page
    assert (
        client.post(url, {"designated_safeguarding_lead": second.pk, "loaded": first.pk}).status_code == 302
    )
    health.refresh_from_db()
    assert health.designated_safeguarding_lead == second
