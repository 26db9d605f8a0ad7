"""Asking a partner agency for a missing fact, and answering or declining."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import Agency, Role, User
from kinmap.audit.models import AuditEvent
from kinmap.core.workdays import add_working_days
from kinmap.records import models as m
from kinmap.records import services as rs
from kinmap.records.errors import RecordError
from kinmap.records.services.common import _after_change
from kinmap.sharing import facts
from kinmap.sharing import services as sh
from kinmap.sharing.models import InformationRequest, Notification, SharingDecision

from .world import CELLS, World, askable_gap, build_world

SOCIAL = "Northshire Children's Social Care"
SUPPLIED = f"supplied by {SOCIAL}"


def _officer(world: World):  # type: ignore[no-untyped-def]
    return world.user(Role.INFORMATION_OFFICER, "social-unallocated")


def _ask(
    world: World, what: str, urgency: str = "standard", person: m.Person | None = None
) -> InformationRequest:
    return sh.information_request_create(
        actor=world.lead,
        network=world.network,
        person=person or world.father,
        what=what,
        to_agency=world.agencies["social"],
        lawful_basis="safeguarding",
        purpose="He has the baby overnight.",
        urgency=urgency,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("urgency", "days"), [("urgent", 1), ("standard", 5), ("routine", 10)])
def test_due_date_follows_urgency_in_working_days(urgency: str, days: int) -> None:
    world = build_world()
    req = _ask(world, "phone", urgency)
    assert req.due_on == add_working_days(timezone.localdate(), days)


@pytest.mark.django_db
def test_asking_from_the_page_notifies_the_agency_officers_and_is_audited() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.lead)
    gap = askable_gap(world.network, world.father, "fact:adult-services")
    url = (
        reverse("request-new", args=[world.network.pk, world.father.pk])
        + "?"
        + urlencode({"what": "fact:adult-services", "gap": gap})
    )
    page = client.get(url).content.decode()
    assert f'value="{gap}"' in page
    response = client.post(
        url,
        {
            "what": "fact:adult-services",
            "to_agency": world.agencies["social"].pk,
            "lawful_basis": "safeguarding",
            "purpose": "Father has the baby overnight; any known involvement matters.",
            "urgency": "urgent",
            "gap_key": gap,
        },
    )
    assert response.status_code == 302
    req = InformationRequest.objects.latest("pk")
    assert (req.what, req.gap_key, req.status, req.requested_by_team_id) == (
        "fact:adult-services",
        gap,
        "open",
        world.teams["health-allocated"].pk,
    )
    officers = {n.recipient.username for n in Notification.objects.filter(url=f"/requests/{req.pk}/")}
    assert officers == {"information-officer-social-allocated", "information-officer-social-unallocated"}
    event = AuditEvent.objects.get(action="create", object_type="information_request", object_id=str(req.pk))
    assert event.changes["to_agency"] == [None, SOCIAL]
    assert event.changes["gap_key"] == [None, gap]


@pytest.mark.django_db
@pytest.mark.parametrize("lead", [True, False])
def test_a_request_to_an_agency_with_no_information_officer_still_reaches_someone(lead: bool) -> None:
    """Nobody there can answer it: the agency's designated safeguarding lead is
    told, else the partnership administrators, so that an officer is named."""
    world = build_world()
    social = world.agencies["social"]
    User.objects.filter(team__agency=social, role=Role.INFORMATION_OFFICER).update(is_active=False)
    if lead:
        Agency.objects.filter(pk=social.pk).update(
            designated_safeguarding_lead=world.user(Role.SUPERVISOR, "social-allocated")
        )
    before = set(Notification.objects.values_list("pk", flat=True))
    req = _ask(world, "phone", "urgent")
    told = Notification.objects.exclude(pk__in=before)
    expected = ["supervisor-social-allocated"] if lead else sorted(f"administrator-{cell}" for cell in CELLS)
    assert sorted(n.recipient.username for n in told) == expected
    assert {n.text for n in told} == {
        f"{SOCIAL} has no information officer to answer it: new urgent information request from "
        f"Northshire Community Health, due {req.due_on.day} {req.due_on:%B %Y}"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"to_agency": "health"}, "to_agency", "Choose another agency: this is your own"),
        ({"purpose": "  "}, "purpose", "Say why you need this information"),
        ({"what": "favourite-colour"}, "what", "Choose what you are asking for"),
        ({"lawful_basis": "because"}, "lawful_basis", "Choose the lawful basis for asking"),
        ({"urgency": "whenever"}, "urgency", "Choose how urgent this is"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(
    change: dict[str, str], field: str, message: str
) -> None:
    world = build_world()
    before = InformationRequest.objects.count()
    args = {
        "what": "phone",
        "to_agency": world.agencies["social"],
        "lawful_basis": "safeguarding",
        "purpose": "Needed.",
        "urgency": "standard",
    }
    if "to_agency" in change:
        args["to_agency"] = world.agencies[change["to_agency"]]
    args.update({k: v for k, v in change.items() if k != "to_agency"})
    with pytest.raises(RecordError) as exc:
        sh.information_request_create(actor=world.lead, network=world.network, person=world.father, **args)
    assert [(p.field, p.message) for p in exc.value.problems] == [(field, message)]
    assert InformationRequest.objects.count() == before


@pytest.mark.django_db
def test_queue_lists_requests_soonest_first_and_highlights_overdue() -> None:
    world = build_world()
    InformationRequest.objects.filter(pk=world.request.pk).update(due_on=date.today() - timedelta(days=2))
    _ask(world, "phone", "routine")
    client = Client()
    client.force_login(_officer(world))
    html = client.get(reverse("request-queue")).content.decode()
    assert html.index("Date of birth") < html.index("Telephone number")
    assert html.count("Overdue") == 1
    assert "kinmap-overdue" in html


@pytest.mark.django_db
def test_answering_records_the_fact_with_provenance_and_logs_the_decision() -> None:
    world = build_world()
    officer = _officer(world)
    client = Client()
    client.force_login(officer)
    detail = client.get(reverse("request-detail", args=[world.request.pk])).content.decode()
    assert "Date of birth of Dan Testfather" in detail
    assert "The father has the baby overnight; we need to know who he is." in detail
    assert "Public task (UK GDPR Art 6(1)(e))" in detail
    response = client.post(
        reverse("request-answer", args=[world.request.pk]),
        {
            "version": 1,
            "on_0": "14",
            "on_1": "2",
            "on_2": "1994",
            "rationale": "Safeguarding enquiry; the father cares for the baby overnight.",
            "family_told": "no",
            "family_not_told_reason": "Telling him could put the child at risk while checks are made.",
        },
    )
    assert response.status_code == 302
    father = m.Person.objects.get(pk=world.father.pk)
    assert (father.birth_date, father.birth_date_accuracy) == (date(1994, 2, 14), "accurate")
    assert father.provenance["birth_date"]["source"] == "other-agency"
    assert father.provenance["birth_date"]["detail"] == SUPPLIED
    assert father.provenance["birth_date"]["by"] == officer.username
    req = InformationRequest.objects.get(pk=world.request.pk)
    assert (req.status, req.outcome, req.answered_by) == ("answered", "Date of birth recorded", officer)
    decision = SharingDecision.objects.get(request=req)
    assert (decision.decision, decision.what, decision.with_whom, decision.lawful_basis) == (
        "share",
        "Date of birth of Dan Testfather",
        "Northshire Community Health",
        "safeguarding",
    )
    assert (decision.family_told, decision.family_not_told_reason) == (
        False,
        "Telling him could put the child at risk while checks are made.",
    )
    update = AuditEvent.objects.get(actor=officer, object_type="person", action="update")
    assert update.changes["birth_date"] == [None, "1994-02-14"]
    assert update.network_id == world.network.pk
    note = Notification.objects.get(recipient=world.lead, text__contains="answered")
    assert note.text == f"{SOCIAL} answered your request about Dan Testfather: Date of birth recorded"


@pytest.mark.django_db
def test_answering_runs_the_after_change_hooks_that_close_gaps() -> None:
    """The gaps engine registers with records.services.on_family_change; an
    answer recorded through the records services runs it for the family."""
    world = build_world()
    seen: list[int] = []

    def hook(network: m.FamilyNetwork, actor: object) -> None:
        seen.append(network.pk)

    rs.on_family_change(hook)
    try:
        sh.information_request_answer(
            actor=_officer(world),
            request=world.request,
            answer=facts.Answer(on=date(1994, 2, 14)),
            rationale="Safeguarding.",
            family_told=True,
            expected_version=1,
        )
    finally:
        _after_change.remove(hook)
    # (once for the fact recorded, once for the sharing decision logged with it)
    assert seen and set(seen) == {world.network.pk}


@pytest.mark.django_db
def test_a_masked_phone_answer_stays_masked() -> None:
    world = build_world()
    req = _ask(world, "phone")
    sh.information_request_answer(
        actor=_officer(world),
        request=req,
        answer=facts.Answer(text="07700 900 555", masked=True),
        rationale="Safeguarding.",
        family_told=True,
        expected_version=1,
    )
    father = m.Person.objects.get(pk=world.father.pk)
    assert (father.phone, father.phone_masked) == ("07700 900 555", True)
    update = AuditEvent.objects.filter(object_type="person", action="update").latest("id")
    assert update.changes["phone"] == ["(masked)", "(masked)"]
    assert "900 555" not in InformationRequest.objects.get(pk=req.pk).outcome


@pytest.mark.django_db
def test_an_address_answer_creates_a_residence_supplied_by_the_agency() -> None:
    world = build_world()
    req = _ask(world, "address")
    sh.information_request_answer(
        actor=_officer(world),
        request=req,
        answer=facts.Answer(address=rs.AddressData(address_line_1="9 Away Lane", postcode="ZZ99 2BB")),
        rationale="Safeguarding.",
        family_told=True,
        expected_version=1,
    )
    res = m.Residence.objects.select_related("household").get(person=world.father)
    assert (res.household.address_line_1, res.source, res.source_detail) == (
        "9 Away Lane",
        "other-agency",
        SUPPLIED,
    )


@pytest.mark.django_db
def test_a_fact_answer_is_kept_as_a_fact_supplied_by_the_agency() -> None:
    world = build_world()
    req = _ask(world, "fact:adult-services")
    sh.information_request_answer(
        actor=_officer(world),
        request=req,
        answer=facts.Answer(text="Known to probation until 2024"),
        rationale="Safeguarding.",
        family_told=True,
        expected_version=1,
    )
    fact = m.PersonFact.objects.get(person=world.father, key="adult-services")
    assert (fact.value, fact.source, fact.source_detail) == (
        "Known to probation until 2024",
        "other-agency",
        SUPPLIED,
    )


@pytest.mark.django_db
def test_bad_answer_shows_the_error_and_saves_nothing() -> None:
    world = build_world()
    client = Client()
    client.force_login(_officer(world))
    response = client.post(
        reverse("request-answer", args=[world.request.pk]),
        {"version": 1, "on_0": "31", "on_1": "2", "on_2": "1994", "rationale": "x", "family_told": "no"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Date of birth must be a real date" in html
    assert InformationRequest.objects.get(pk=world.request.pk).status == "open"
    assert m.Person.objects.get(pk=world.father.pk).birth_date is None
    assert not SharingDecision.objects.filter(request=world.request).exists()


@pytest.mark.django_db
def test_not_told_needs_a_reason() -> None:
    world = build_world()
    with pytest.raises(RecordError, match="Say why the family has not been told"):
        sh.information_request_decline(
            actor=_officer(world),
            request=world.request,
            reason="No record held",
            family_told=False,
            expected_version=1,
        )
    assert InformationRequest.objects.get(pk=world.request.pk).status == "open"


@pytest.mark.django_db
def test_declining_logs_a_decision_not_to_share_and_tells_the_requester() -> None:
    world = build_world()
    client = Client()
    client.force_login(_officer(world))
    response = client.post(
        reverse("request-decline", args=[world.request.pk]),
        {
            "decline-version": 1,
            "decline-reason": "We hold no record of this person.",
            "decline-family_told": "yes",
        },
    )
    assert response.status_code == 302
    req = InformationRequest.objects.get(pk=world.request.pk)
    assert (req.status, req.decline_reason) == ("declined", "We hold no record of this person.")
    decision = SharingDecision.objects.get(request=req)
    assert (decision.decision, decision.rationale, decision.family_told) == (
        "not-share",
        "We hold no record of this person.",
        True,
    )
    assert Notification.objects.filter(recipient=world.lead, text__contains="declined").exists()
    lead = Client()
    lead.force_login(world.lead)
    page = lead.get(reverse("network-requests", args=[world.network.pk])).content.decode()
    assert "Reason: We hold no record of this person." in page


@pytest.mark.django_db
def test_a_request_is_answered_once() -> None:
    world = build_world()
    officer = _officer(world)
    sh.information_request_decline(
        actor=officer, request=world.request, reason="No record.", family_told=True, expected_version=1
    )
    with pytest.raises(RecordError):
        sh.information_request_answer(
            actor=officer,
            request=world.request,
            answer=facts.Answer(on=date(1994, 2, 14)),
            rationale="x",
            family_told=True,
            expected_version=1,
        )


@pytest.mark.django_db
def test_overdue_requests_are_flagged_to_the_requester() -> None:
    world = build_world()
    InformationRequest.objects.filter(pk=world.request.pk).update(due_on=date.today() - timedelta(days=1))
    client = Client()
    client.force_login(world.lead)
    page = client.get(reverse("notifications")).content.decode()
    assert "Your information requests that are overdue" in page
    assert "Date of birth" in page
    nav = client.get(reverse("my-families")).content.decode()
    assert 'Notifications <strong class="govuk-tag govuk-tag--red">1</strong>' in nav


@pytest.mark.django_db
def test_officer_of_another_agency_cannot_answer() -> None:
    world = build_world()
    with pytest.raises(RecordError, match="Only an information officer of the agency asked"):
        sh.information_request_decline(
            actor=world.user(Role.INFORMATION_OFFICER, "health-allocated"),
            request=world.request,
            reason="x",
            family_told=True,
            expected_version=1,
        )


@pytest.mark.django_db
def test_answer_and_decline_forms_have_ids_of_their_own() -> None:
    import re

    world = build_world()
    client = Client()
    client.force_login(_officer(world))
    html = client.get(reverse("request-detail", args=[world.request.pk])).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    response = client.post(reverse("request-decline", args=[world.request.pk]), {"decline-version": 1})
    error = response.content.decode()
    assert '<a href="#id_decline-reason">Say why the information will not be shared</a>' in error
