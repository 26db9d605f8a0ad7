"""Closing a family network keeps it, readable, off worklists and read-only
(every write service refuses, pages hide their edit actions) until it is
reopened; both need a reason and are audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kinmap.accounts.models import Agency, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.carers import services as cs
from kinmap.carers.models import Material
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.gaps.actions import supervisor_action_complete
from kinmap.gaps.selectors import WorklistFilter, worklist
from kinmap.gaps.supervision_reads import flagged_networks, supervisor_dashboard
from kinmap.records import lifecycle
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.errors import RecordError, StaleEdit
from kinmap.records.lifecycle import NetworkClosed
from kinmap.sharing import services as sh
from tests.gaps.family import SeedFamily

pytestmark = pytest.mark.django_db


def _close(actor: User, fam: SeedFamily, reason: str = "Family moved out of the area") -> m.FamilyNetwork:
    network = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    return lifecycle.network_close(
        actor=actor, network=network, reason=reason, expected_version=network.version
    )


def test_closing_needs_a_reason_and_a_current_version_and_is_audited(owner: User, fam: SeedFamily) -> None:
    network = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    with pytest.raises(RecordError, match="Say why"):
        lifecycle.network_close(actor=owner, network=network, reason="  ", expected_version=network.version)
    with pytest.raises(StaleEdit):
        lifecycle.network_close(
            actor=owner, network=network, reason="x", expected_version=network.version - 1
        )
    contact = gs.contact_open(actor=owner, network=network, type="home-visit", date=date.today())
    with pytest.raises(RecordError, match="A contact with this family is still open"):
        _close(owner, fam)
    gs.contact_not_asked_rest(actor=owner, contact=contact, reason="visit cut short")
    gs.contact_close(actor=owner, contact=contact)
    closed = _close(owner, fam)
    assert (
        closed.is_closed
        and closed.closed_by == owner
        and closed.closed_reason == "Family moved out of the area"
    )
    event = AuditEvent.objects.filter(object_type="network", action="close").get()
    assert event.reason == "Family moved out of the area" and event.changes == {"status": ["open", "closed"]}
    with pytest.raises(RecordError, match="already closed"):
        _close(owner, fam)


def test_an_outsider_cannot_close_a_family(outsider: User, fam: SeedFamily) -> None:
    with pytest.raises(RecordError, match="Only a practitioner or supervisor working with this family"):
        _close(outsider, fam)
    assert not m.FamilyNetwork.objects.get(pk=fam.network.pk).is_closed


WRITES: dict[str, Callable[[User, User, SeedFamily], Any]] = {
    "person_update": lambda o, _s, f: s.person_update(
        actor=o,
        network=f.network,
        person=f.father,
        data=s.PersonData.of(m.Person.objects.get(pk=f.father.pk)),
        expected_version=m.Person.objects.get(pk=f.father.pk).version,
    ),
    "person_add": lambda o, _s, f: s.person_add(
        actor=o, network=f.network, data=s.PersonData(given_name="New", family_name="Person")
    ),
    "fact_set": lambda o, _s, f: s.fact_set(
        actor=o, network=f.network, person=f.father, key="adult-services", value="none", expected_version=None
    ),
    "contact_open": lambda o, _s, f: gs.contact_open(
        actor=o, network=f.network, type="home-visit", date=date.today()
    ),
    "supervisor_decision_record": lambda _o, sup, f: gs.supervisor_decision_record(
        actor=sup, network=f.network, decision="Keep going"
    ),
    "sharing_decision_record": lambda o, _s, f: sh.sharing_decision_record(
        actor=o,
        network=f.network,
        decision="share",
        what="Household composition",
        with_whom="GP practice",
        lawful_basis="safeguarding",
        rationale="The GP needs to know.",
        family_told=True,
    ),
    "information_request_create": lambda o, _s, f: sh.information_request_create(
        actor=o,
        network=f.network,
        person=f.father,
        what="birth_date",
        to_agency=Agency.objects.exclude(pk=o.agency.pk if o.agency else None).order_by("pk").first(),
        lawful_basis="safeguarding",
        purpose="The father has the baby overnight.",
        urgency="routine",
    ),
    "joint_appointment_invite": lambda o, _s, f: cs.joint_appointment_invite(
        actor=o, network=f.network, person=f.father, contact_on=date.today(), contact_type="home-visit"
    ),
    "information_given_record": lambda o, _s, f: cs.information_given_record(
        actor=o,
        network=f.network,
        person=f.mother,
        data=cs.InformationData(
            materials=(Material.objects.get(code="icon"),), how="in-person", given_on=date.today()
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_to_a_closed_family_is_refused_and_saves_nothing(
    owner: User, supervisor: User, social_team: Team, fam: SeedFamily, name: str
) -> None:
    _close(owner, fam)
    before = (AuditEvent.objects.count(), m.FamilyNetwork.objects.get(pk=fam.network.pk).version)
    people = list(m.Person.objects.order_by("pk").values())
    with pytest.raises(
        NetworkClosed, match=r"This family network was closed on .*: it can be read but not changed"
    ):
        WRITES[name](owner, supervisor, fam)
    assert (AuditEvent.objects.count(), m.FamilyNetwork.objects.get(pk=fam.network.pk).version) == before
    assert list(m.Person.objects.order_by("pk").values()) == people


def test_an_action_on_a_closed_family_cannot_be_completed(
    owner: User, supervisor: User, fam: SeedFamily
) -> None:
    gs.supervisor_decision_record(
        actor=supervisor,
        network=fam.network,
        decision="Seek details",
        action_items=[gs.ActionData("Ask the GP", owner, date.today() + timedelta(days=1))],
    )
    _close(owner, fam)
    action = gm.SupervisorAction.objects.get()
    with pytest.raises(NetworkClosed):
        supervisor_action_complete(actor=owner, action=action, expected_version=action.version)


def test_a_closed_family_is_off_worklists_and_its_pages_hide_edit_actions_until_reopened(
    owner: User, supervisor: User, fam: SeedFamily, client: Client
) -> None:
    gs.supervisor_decision_record(
        actor=supervisor,
        network=fam.network,
        decision="Seek details",
        action_items=[gs.ActionData("Ask the GP", owner, date.today())],
    )
    client.force_login(owner)
    family_url = reverse("family", args=[fam.network.pk])
    assert "Add a person" in client.get(family_url).content.decode()
    confirm = client.get(reverse("network-close", args=[fam.network.pk])).content.decode()
    assert "Are you sure you want to close this family network?" in confirm
    empty = client.post(reverse("network-close", args=[fam.network.pk]), {"version": fam.network.version})
    assert empty.status_code == 200 and "Say why the family network is being closed" in empty.content.decode()
    network = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    done = client.post(
        reverse("network-close", args=[fam.network.pk]),
        {"version": network.version, "reason": "Case closed at review"},
    )
    assert done.status_code == 302
    assert [r.network.pk for r in worklist(owner, WorklistFilter())] == []
    flagged = flagged_networks(supervisor)
    assert fam.network.pk not in {n.pk for n in flagged}
    dashboard = supervisor_dashboard(supervisor, flagged)
    assert fam.network.pk not in {v.gap.network_id for v in (*dashboard.oldest, *dashboard.pending_na)}
    page = client.get(family_url)
    text = page.content.decode()
    assert (
        page.status_code == 200
        and "This family network is closed" in text
        and "Case closed at review" in text
    )
    worklist_page = client.get(reverse("my-families")).content.decode()
    assert "Ask the GP" not in worklist_page and fam.network.name not in worklist_page
    for hidden in ("Add a person", "Start a contact", "Record where someone lives", "Ask another agency"):
        assert hidden not in text, hidden
    person = client.get(reverse("person", args=[fam.network.pk, fam.father.pk])).content.decode()
    assert "Add another name" not in person
    # a form sent anyway is refused with the reason, on the page
    refused = client.post(
        reverse("person-add", args=[fam.network.pk]),
        {"given_name": "Late", "family_name": "Arrival", "sex": "unknown", "birth_date_accuracy": "unknown"},
    )
    assert refused.status_code == 200 and "it can be read but not changed" in refused.content.decode()
    assert not m.Person.objects.filter(given_name="Late").exists()

    api = client.get(f"/api/v1/families/{fam.network.pk}").json()
    assert api["closed_at"] is not None and api["version"] == network.version + 1

    # reopened: back on the worklist and open to changes again
    network = m.FamilyNetwork.objects.get(pk=fam.network.pk)
    reopen = client.post(
        reverse("network-reopen", args=[fam.network.pk]),
        {"version": network.version, "reason": "New referral from the midwife"},
    )
    assert reopen.status_code == 302
    assert [r.network.pk for r in worklist(owner, WorklistFilter())] == [fam.network.pk]
    assert "Add a person" in client.get(family_url).content.decode()
    assert client.get(f"/api/v1/families/{fam.network.pk}").json()["closed_at"] is None
    event = AuditEvent.objects.filter(object_type="network", action="reopen").get()
    assert event.reason == "New referral from the midwife"
    gs.contact_open(actor=owner, network=fam.network, type="home-visit", date=date.today())
