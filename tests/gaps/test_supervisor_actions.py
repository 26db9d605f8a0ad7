"""Actions agreed at supervision: the owner is told and sees them (family page,
worklist, contact), overdue actions are flagged to the owner and to the
supervisor, and completing one records who and when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import action_lists
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.gaps.actions import supervisor_action_complete
from kinmap.records.access import visible_network_ids
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.sharing.models import BreakGlassAccess, Notification
from tests.gaps.family import SeedFamily, seed_family

pytestmark = pytest.mark.django_db


def _decide(supervisor: User, fam: SeedFamily, *items: gs.ActionData) -> gm.SupervisorDecision:
    return gs.supervisor_decision_record(
        actor=supervisor,
        network=fam.network,
        decision="The father's details are to be sought from the GP",
        action_items=items,
    )


def _ask_gp(owner: User, due: date | None = None) -> gs.ActionData:
    return gs.ActionData("Ask the GP practice for the father's details", owner, due or date.today())


def test_an_action_is_recorded_with_its_owner_and_due_date_and_the_owner_is_told(
    owner: User, supervisor: User, fam: SeedFamily
) -> None:
    due = date.today() + timedelta(days=7)
    decision = _decide(supervisor, fam, _ask_gp(owner, due))
    action = gm.SupervisorAction.objects.get(decision=decision)
    assert (action.owner, action.due, action.network_id, action.completed_at) == (
        owner,
        due,
        fam.network.pk,
        None,
    )
    note = Notification.objects.get(recipient=owner)
    assert "Ask the GP practice for the father's details" in note.text
    assert f"due by {due.day} {due:%B %Y}" in note.text
    assert note.url == reverse("family", args=[fam.network.pk]) + "#supervision-actions"
    event = AuditEvent.objects.get(object_type="supervisor_action", action="create")
    assert event.network_id == fam.network.pk and event.changes["owner"] == [None, owner.username]


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        (gs.ActionData("  ", None, date.today()), "action1-description", "Say what will be done"),
        (
            gs.ActionData("Ask", None, date.today()),
            "action1-owner",
            "Choose someone who works with this family",
        ),
        (gs.ActionData("Ask", "outsider", date.today()), "action1-owner", "Choose someone who works"),
        (gs.ActionData("Ask", "owner", None), "action1-due", "Enter the date it is due by"),
        (
            gs.ActionData("Ask", "owner", date.today() - timedelta(days=1)),
            "action1-due",
            "must be today or in the future",
        ),
    ],
)
def test_a_bad_action_refuses_the_whole_decision_naming_the_row(
    owner: User,
    outsider: User,
    supervisor: User,
    fam: SeedFamily,
    item: gs.ActionData,
    field: str,
    message: str,
) -> None:
    users = {"owner": owner, "outsider": outsider}
    if isinstance(item.owner, str):
        item = gs.ActionData(item.description, users[item.owner], item.due)
    with pytest.raises(RecordError) as err:
        _decide(supervisor, fam, item)
    assert err.value.problems[0].field == field and message in err.value.messages[0]
    assert not gm.SupervisorDecision.objects.exists() and not gm.SupervisorAction.objects.exists()
    assert not Notification.objects.exists()


def test_the_owner_sees_the_action_on_the_family_page_their_worklist_and_the_contact(
    owner: User, supervisor: User, fam: SeedFamily, client: Client
) -> None:
    _decide(supervisor, fam, _ask_gp(owner, date.today() + timedelta(days=3)))
    client.force_login(owner)
    family = client.get(reverse("family", args=[fam.network.pk])).content.decode()
    assert "Decisions and actions from supervision" in family
    assert "The father&#x27;s details are to be sought from the GP" in family
    assert "Ask the GP practice for the father&#x27;s details" in family and "For you" in family
    worklist = client.get(reverse("my-families")).content.decode()
    section = worklist[worklist.index('id="my-actions"') :]
    assert "Ask the GP practice" in section and 'data-overdue="no"' in section
    contact = gs.contact_open(actor=owner, network=fam.network, type="home-visit", date=date.today())
    page = client.get(reverse("contact", args=[fam.network.pk, contact.pk])).content.decode()
    assert "Actions from supervision" in page and "Ask the GP practice" in page


def test_an_overdue_action_is_flagged_to_the_owner_and_the_supervisor(
    owner: User, supervisor: User, fam: SeedFamily, client: Client
) -> None:
    _decide(supervisor, fam, _ask_gp(owner))
    action = gm.SupervisorAction.objects.get()
    later = date.today() + timedelta(days=1)
    assert [a.overdue for a in action_lists.my_open_actions(owner, today=later)] == [True]
    assert [a.overdue for a in action_lists.my_open_actions(owner)] == [False]
    assert [a.action for a in action_lists.team_overdue_actions(supervisor, today=later)] == [action]
    assert action_lists.team_overdue_actions(supervisor) == []
    # on the pages, once the due day has passed
    gm.SupervisorAction.objects.filter(pk=action.pk).update(due=date.today() - timedelta(days=2))
    client.force_login(owner)
    mine = client.get(reverse("my-families")).content.decode()
    assert 'data-overdue="yes"' in mine[mine.index('id="my-actions"') :] and "Overdue" in mine
    client.force_login(supervisor)
    board = client.get(reverse("supervisor-dashboard")).content.decode()
    section = board[board.index('id="overdue-actions"') :]
    assert "Ask the GP practice" in section and f"For {owner.display_name}" in section


def test_an_owner_sees_their_actions_only_in_families_they_may_see_now(
    owner: User, supervisor: User, outsider: User, fam: SeedFamily
) -> None:
    """The worklist's actions follow the one access rule (allocation to the
    owner's team now, or emergency access running), decided in the database."""
    _decide(supervisor, fam, _ask_gp(owner))

    def listed() -> set[int]:
        return {a.action.network_id for a in action_lists.my_open_actions(owner)}

    assert listed() == {fam.network.pk} == visible_network_ids(owner) & {fam.network.pk}
    # moved to a team the family is not allocated to: no longer listed
    owner.team = outsider.team
    owner.save()
    assert listed() == set() == visible_network_ids(owner) & {fam.network.pk}
    # emergency access running: listed again; ended: not
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        user=owner,
        network=fam.network,
        reason="A safeguarding call tonight",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
    )
    assert listed() == {fam.network.pk} == visible_network_ids(owner) & {fam.network.pk}
    BreakGlassAccess.objects.filter(pk=grant.pk).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(minutes=1)
    )
    assert listed() == set()
    # someone else's emergency access gives the owner nothing
    BreakGlassAccess.objects.create(
        user=outsider,
        network=fam.network,
        reason="A safeguarding call tonight",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
    )
    assert listed() == set()
    assert action_lists.my_open_actions(outsider) == []


def test_completing_an_action_records_who_and_when_and_tells_the_supervisor(
    owner: User, teammate: User, supervisor: User, fam: SeedFamily, client: Client
) -> None:
    _decide(supervisor, fam, _ask_gp(owner))
    action = gm.SupervisorAction.objects.get()
    with pytest.raises(RecordError, match="Only the person it is for, or a supervisor"):
        supervisor_action_complete(actor=teammate, action=action, expected_version=action.version)
    with pytest.raises(StaleEdit):
        supervisor_action_complete(actor=owner, action=action, expected_version=action.version + 1)
    client.force_login(owner)
    url = reverse("supervisor-action-complete", args=[fam.network.pk, action.pk])
    assert "Record as done" in client.get(url).content.decode()
    response = client.post(url, {"version": action.version, "note": "GP replied: details recorded"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.completed_by == owner and action.completed_at is not None
    assert action.completion_note == "GP replied: details recorded"
    assert Notification.objects.filter(recipient=supervisor, text__contains="done by").exists()
    assert AuditEvent.objects.filter(object_type="supervisor_action", action="complete").count() == 1
    family = client.get(reverse("family", args=[fam.network.pk])).content.decode()
    assert f"done by {owner.display_name} on" in family
    assert action_lists.my_open_actions(owner) == []
    again = client.post(url, {"version": action.version})
    assert again.status_code == 200 and "already been recorded as done" in again.content.decode()


def test_an_action_of_another_family_is_not_found_through_this_one(
    owner: User, supervisor: User, fam: SeedFamily, client: Client
) -> None:
    other = seed_family(owner, name="Otherfamily")
    _decide(supervisor, other, _ask_gp(owner))
    action = gm.SupervisorAction.objects.get()
    client.force_login(owner)
    assert (
        client.get(reverse("supervisor-action-complete", args=[fam.network.pk, action.pk])).status_code == 404
    )
    assert client.get(f"/families/{other.network.pk}/actions/99999999999999999999/done/").status_code == 404


def test_the_supervision_page_takes_actions_with_their_owner_and_due_date(
    owner: User, supervisor: User, fam: SeedFamily, client: Client
) -> None:
    client.force_login(supervisor)
    url = reverse("gaps-supervision", args=[fam.network.pk])
    page = client.get(url).content.decode()
    assert "Who will do it" in page and "Date it is due by" in page
    due = date.today() + timedelta(days=5)
    partial = client.post(url, {"decision": "Seek details", "action1-description": "Ask the GP"})
    text = partial.content.decode()
    assert partial.status_code == 200 and "There is a problem" in text
    assert "Choose who will do it" in text and "Enter the date it is due by" in text
    assert not gm.SupervisorDecision.objects.exists()
    response = client.post(
        url,
        {
            "decision": "Seek details",
            "action1-description": "Ask the GP",
            "action1-owner": owner.pk,
            "action1-due_0": due.day,
            "action1-due_1": due.month,
            "action1-due_2": due.year,
        },
    )
    assert response.status_code == 302
    action = gm.SupervisorAction.objects.get()
    assert (action.description, action.owner, action.due, action.decision.by) == (
        "Ask the GP",
        owner,
        due,
        supervisor,
    )


def test_the_family_pages_one_statement_gives_the_decisions_and_actions_of_the_two_queries(
    owner: User, teammate: User, supervisor: User, fam: SeedFamily
) -> None:
    from kinmap.gaps.action_lists import FAMILY_DECISIONS, family_decisions_from
    from kinmap.records.pipelined import rows_of

    def lines(found: list[action_lists.DecisionLine]) -> list[object]:
        return [
            (
                d.decision.pk,
                d.decision.by.username,
                d.decision.gap,
                [
                    (a.action.pk, a.overdue, a.can_complete, a.action.owner, a.action.completed_by)
                    for a in d.actions
                ],
            )
            for d in found
        ]

    def both(user: User) -> tuple[list[object], list[object]]:
        read = family_decisions_from(fam.network, user, rows_of(FAMILY_DECISIONS.bind([fam.network.pk])))
        return lines(action_lists.family_decisions(fam.network, user)), lines(read)

    assert both(owner) == ([], [])
    today = date.today()
    _decide(supervisor, fam)  # a decision without actions
    gs.supervisor_decision_record(  # about one gap, with three actions
        actor=supervisor,
        network=fam.network,
        gap=gm.Gap.objects.filter(network=fam.network).order_by("pk").first(),
        decision="Ask again at the next contact",
        action_items=[
            _ask_gp(owner, today + timedelta(days=3)),
            _ask_gp(teammate, today + timedelta(days=2)),
            _ask_gp(owner, today + timedelta(days=1)),
        ],
    )
    gm.SupervisorAction.objects.filter(due=today + timedelta(days=1)).update(due=today - timedelta(days=1))
    done = gm.SupervisorAction.objects.filter(owner=teammate).get()
    supervisor_action_complete(actor=teammate, action=done, expected_version=done.version)
    for user in (owner, teammate, supervisor):
        full, read = both(user)
        assert read == full
    assert [len(d[3]) for d in full] == [3, 0]  # type: ignore[index]
    assert full[0][2] is not None and any(a[1] for a in full[0][3])  # type: ignore[index]
