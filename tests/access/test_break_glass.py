"""Emergency (break-glass) access: time-limited, with a reason, audited, and
someone who can act on it is always told: the team's supervisors, else the
agency's designated safeguarding lead, else the partnership administrators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Agency, Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.records.access import can_see_network
from kinmap.records.errors import RecordError
from kinmap.sharing import services as sh
from kinmap.sharing.models import BreakGlassAccess, Notification

from .world import World, build_world

REASON = "Police called: baby at the father's address tonight, need his household details"


@pytest.mark.django_db
def test_break_glass_page_gives_access_for_two_hours_by_default() -> None:
    world = build_world()
    user = world.user(Role.PRACTITIONER, "health-unallocated")
    client = Client()
    client.force_login(user)
    family = reverse("family", args=[world.network.pk])
    assert client.get(family).status_code == 404
    response = client.post(
        reverse("break-glass"), {"network": world.network.pk, "reason": REASON, "hours": 2}
    )
    assert response.status_code == 302
    assert response["Location"] == family
    grant = BreakGlassAccess.objects.get(user=user)
    assert grant.ends_at - grant.starts_at == timedelta(hours=2)
    page = client.get(family)
    assert page.status_code == 200
    view = AuditEvent.objects.filter(actor=user, action="view").get()
    assert view.reason == f"break-glass: {REASON}"
    opened = AuditEvent.objects.get(actor=user, action="break-glass")
    assert (opened.network_id, opened.reason, opened.changes["hours"]) == (
        world.network.pk,
        REASON,
        [None, 2],
    )


@pytest.mark.django_db
def test_supervisors_of_the_team_are_notified() -> None:
    world = build_world()
    user = world.user(Role.PRACTITIONER, "health-unallocated")
    sh.break_glass_open(actor=user, network_id=world.network.pk, reason=REASON, hours=4)
    supervisor = world.user(Role.SUPERVISOR, "health-unallocated")
    note = Notification.objects.get(recipient=supervisor)
    assert note.text == (
        f"Practitioner used emergency access to family network {world.network.pk} for 4 hours. "
        f"Reason given: {REASON}"
    )
    assert Notification.objects.filter(text__contains="emergency access").count() == 1
    client = Client()
    client.force_login(supervisor)
    page = client.get(reverse("notifications")).content.decode()
    assert "emergency access to family network" in page


@pytest.mark.django_db
def test_access_ends_when_the_time_is_up() -> None:
    world = build_world()
    user = world.user(Role.SUPERVISOR, "social-unallocated")
    grant = sh.break_glass_open(actor=user, network_id=world.network.pk, reason=REASON, hours=1)
    assert can_see_network(user, world.network.pk)
    past = timezone.now() - timedelta(hours=3)
    BreakGlassAccess.objects.filter(pk=grant.pk).update(starts_at=past, ends_at=past + timedelta(hours=1))
    assert not can_see_network(user, world.network.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "hours", "field", "message"),
    [
        ("", 2, "reason", "Say why you need to see this family now"),
        ("urgent", 2, "reason", "Give the reason in a sentence, so that a reviewer can understand it"),
        (REASON, 25, "hours", "Emergency access lasts between 1 and 24 hours"),
        (REASON, 0, "hours", "Emergency access lasts between 1 and 24 hours"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(
    reason: str, hours: int, field: str, message: str
) -> None:
    world = build_world()
    user = world.user(Role.PRACTITIONER, "health-unallocated")
    with pytest.raises(RecordError) as exc:
        sh.break_glass_open(actor=user, network_id=world.network.pk, reason=reason, hours=hours)
    assert [(p.field, p.message) for p in exc.value.problems] == [(field, message)]
    assert not BreakGlassAccess.objects.exists()
    assert not can_see_network(user, world.network.pk)


@pytest.mark.django_db
def test_other_roles_cannot_break_glass() -> None:
    world = build_world()
    for role in (Role.INFORMATION_OFFICER, Role.ADMINISTRATOR, Role.AUDITOR):
        with pytest.raises(RecordError, match="Only practitioners and supervisors"):
            sh.break_glass_open(
                actor=world.user(role, "health-unallocated"),
                network_id=world.network.pk,
                reason=REASON,
                hours=2,
            )


@pytest.mark.django_db
def test_unknown_network_is_refused_and_the_attempt_is_audited() -> None:
    world = build_world()
    user = world.user(Role.PRACTITIONER, "health-unallocated")
    client = Client()
    client.force_login(user)
    response = client.post(reverse("break-glass"), {"network": 999999, "reason": REASON, "hours": 2})
    assert response.status_code == 200
    assert "There is no family network with this reference" in response.content.decode()
    assert AuditEvent.objects.filter(actor=user, action="break-glass-refused", object_id="999999").exists()


# -- every grant tells someone who can act on it ------------------------------


def _lone_practitioner(world: World) -> User:
    """A practitioner in a health team that has no supervisor."""
    team = Team.objects.create(agency=world.agencies["health"], name="Community midwifery north")
    return User.objects.create(username="midwife-alone", first_name="Ruth", team=team, role=Role.PRACTITIONER)


def _designate(world: World, lead: User) -> None:
    Agency.objects.filter(pk=world.agencies["health"].pk).update(designated_safeguarding_lead=lead)


def _told(text_part: str = "emergency access") -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(text__contains=text_part).values_list("recipient__username", "text")
    )


def _admins(world: World) -> list[str]:
    return sorted(u.username for (role, _), u in world.users.items() if role == Role.ADMINISTRATOR)


@pytest.mark.django_db
def test_with_no_supervisor_in_the_team_the_agencys_safeguarding_lead_is_told() -> None:
    world = build_world()
    user = _lone_practitioner(world)
    lead = world.user(Role.PRACTITIONER, "health-unallocated")
    _designate(world, lead)
    sh.break_glass_open(actor=user, network_id=world.network.pk, reason=REASON, hours=2)
    assert _told() == [
        (
            lead.username,
            "You are told as the designated safeguarding lead for Northshire Community Health: "
            "Community midwifery north has no supervisor. "
            f"Ruth used emergency access to family network {world.network.pk} for 2 hours. "
            f"Reason given: {REASON}",
        )
    ]


@pytest.mark.django_db
def test_with_no_supervisor_and_no_safeguarding_lead_the_administrators_are_told() -> None:
    world = build_world()
    user = _lone_practitioner(world)
    sh.break_glass_open(actor=user, network_id=world.network.pk, reason=REASON, hours=1)
    told = _told()
    assert [name for name, _ in told] == _admins(world)
    assert {text for _, text in told} == {
        "You are told as a partnership administrator: Community midwifery north has no supervisor and "
        "Northshire Community Health has no designated safeguarding lead. "
        f"Ruth used emergency access to family network {world.network.pk} for 1 hour. Reason given: {REASON}"
    }


@pytest.mark.django_db
def test_a_lead_who_can_no_longer_sign_in_is_passed_over_for_the_administrators() -> None:
    world = build_world()
    user = _lone_practitioner(world)
    lead = world.user(Role.PRACTITIONER, "health-unallocated")
    _designate(world, lead)
    User.objects.filter(pk=lead.pk).update(is_active=False)
    sh.break_glass_open(actor=user, network_id=world.network.pk, reason=REASON, hours=1)
    assert [name for name, _ in _told()] == _admins(world)


@pytest.mark.django_db
def test_a_supervisor_is_never_the_only_one_told_of_their_own_access() -> None:
    world = build_world()
    supervisor = world.user(Role.SUPERVISOR, "health-unallocated")
    lead = world.user(Role.PRACTITIONER, "health-allocated")
    _designate(world, lead)
    sh.break_glass_open(actor=supervisor, network_id=world.network.pk, reason=REASON, hours=1)
    assert [name for name, _ in _told()] == [lead.username]


@pytest.mark.django_db
def test_with_nobody_to_tell_emergency_access_is_refused_and_nothing_is_saved() -> None:
    world = build_world()
    user = _lone_practitioner(world)
    User.objects.filter(role=Role.ADMINISTRATOR).update(is_active=False)
    notes = Notification.objects.count()
    with pytest.raises(RecordError) as exc:
        sh.break_glass_open(actor=user, network_id=world.network.pk, reason=REASON, hours=2)
    assert exc.value.messages == [
        "Emergency access cannot be given: there is no supervisor, designated safeguarding lead or "
        "partnership administrator to tell. Ask your partnership administrator"
    ]
    assert not BreakGlassAccess.objects.exists()
    assert Notification.objects.count() == notes
    assert not can_see_network(user, world.network.pk)
    refused = AuditEvent.objects.get(actor=user, action="break-glass-refused")
    assert (refused.object_id, refused.reason) == (str(world.network.pk), REASON)


@pytest.mark.django_db
def test_the_page_says_who_has_been_told() -> None:
    world = build_world()
    user = _lone_practitioner(world)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("break-glass"), {"network": world.network.pk, "reason": REASON, "hours": 2}, follow=True
    )
    assert "The partnership administrators have been told." in response.content.decode()
