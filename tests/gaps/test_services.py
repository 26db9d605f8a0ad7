"""The gap, contact, supervision and rule-setting services: what they record,
and bad input refused with a clear message and nothing saved."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kinmap.accounts.models import Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.records import models as rm
from kinmap.records.errors import RecordError, StaleEdit
from tests.conftest import make_user
from tests.gaps.family import SeedFamily, seed_family
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(health_team: Team) -> User:
    return make_user("partnership.admin", health_team, Role.ADMINISTRATOR)


def key(f: SeedFamily, rule: str) -> str:
    return f"{rule}:person:{f.father.pk}"


def g(f: SeedFamily, rule: str) -> gm.Gap:
    return gm.Gap.objects.get(network=f.network, key=key(f, rule))


def snapshot() -> dict[str, Any]:
    """Everything the services write, to prove a refused change saved nothing."""
    return {
        "gaps": list(gm.Gap.objects.order_by("pk").values()),
        "events": gm.GapEvent.objects.count(),
        "contacts": list(gm.Contact.objects.order_by("pk").values()),
        "outcomes": list(gm.ContactGapOutcome.objects.order_by("pk").values()),
        "decisions": gm.SupervisorDecision.objects.count(),
        "settings": list(gm.RuleSetting.objects.order_by("pk").values()),
        "setting_changes": gm.RuleSettingChange.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def refused(call: Any, *messages: str) -> RecordError:
    before = snapshot()
    with pytest.raises(RecordError) as err:
        call()
    assert err.value.messages == list(messages)
    assert snapshot() == before
    return err.value


# -- answering a gap --------------------------------------------------------------


def test_declined_needs_who_the_reason_and_the_practitioners_view(owner: User, fam: SeedFamily) -> None:
    gap = g(fam, "R02-birth-father")
    err = refused(
        lambda: gs.gap_answer(
            actor=owner, gap=gap, answer=gs.Answer(state="asked-declined"), expected_version=gap.version
        ),
        "Choose who declined to say",
        "Enter the reason they gave, in their words",
        "Enter your view of why they declined",
    )
    assert [p.field for p in err.problems] == ["declined_by", "reason", "practitioner_view"]


def test_temp_unknown_needs_from_whom_and_not_applicable_a_justification(
    owner: User, fam: SeedFamily
) -> None:
    gap = g(fam, "R02-birth-father")
    refused(
        lambda: gs.gap_answer(
            actor=owner,
            gap=gap,
            answer=gs.Answer(state="temp-unknown", from_whom="  "),
            expected_version=gap.version,
        ),
        "Say who will find out, or who will be asked",
    )
    refused(
        lambda: gs.gap_answer(
            actor=owner, gap=gap, answer=gs.Answer(state="not-applicable"), expected_version=gap.version
        ),
        "Say why this does not apply",
    )
    refused(
        lambda: gs.gap_answer(
            actor=owner, gap=gap, answer=gs.Answer(state="resolved"), expected_version=gap.version
        ),
        "Choose what happened when you asked",
    )


def test_declined_is_recorded_with_who_why_and_the_view(owner: User, fam: SeedFamily) -> None:
    gap = g(fam, "R02-birth-father")
    gs.gap_answer(
        actor=owner,
        gap=gap,
        answer=gs.Answer(
            state="asked-declined",
            reason=" he doesn't want services involved ",
            practitioner_view="Mother seemed anxious about his reaction",
            declined_by=fam.mother,
        ),
        expected_version=gap.version,
    )
    gap.refresh_from_db()
    assert (gap.state, gap.times_declined, gap.is_open) == ("asked-declined", 1, True)
    e = gap.events.get(kind="answered")
    assert (e.state, e.reason, e.practitioner_view, e.declined_by, e.by) == (
        "asked-declined",
        "he doesn't want services involved",
        "Mother seemed anxious about his reaction",
        fam.mother,
        owner,
    )
    audit = AuditEvent.objects.filter(object_type="gap", action="answer").get()
    assert audit.changes["state"] == ["not-asked", "asked-declined"]
    assert audit.changes["reason"] == [None, "he doesn't want services involved"]


def test_temp_unknown_keeps_from_whom(owner: User, fam: SeedFamily) -> None:
    gap = gs.gap_answer(
        actor=owner,
        gap=g(fam, "R08-other-children"),
        answer=gs.Answer(state="temp-unknown", from_whom="the mother will ask him"),
        expected_version=g(fam, "R08-other-children").version,
    )
    assert gap.state == "temp-unknown" and gap.is_open
    assert gap.events.get(kind="answered").from_whom == "the mother will ask him"


def test_a_stale_answer_is_refused(owner: User, fam: SeedFamily) -> None:
    gap = g(fam, "R09-other-names")
    before = snapshot()
    with pytest.raises(StaleEdit):
        gs.gap_answer(
            actor=owner,
            gap=gap,
            answer=gs.Answer(state="asked-unknown"),
            expected_version=gap.version - 1,
        )
    assert snapshot() == before


def test_not_applicable_closes_an_important_gap_at_once(owner: User, fam: SeedFamily) -> None:
    gap = gs.gap_answer(
        actor=owner,
        gap=g(fam, "R09-other-names"),
        answer=gs.Answer(
            state="not-applicable", reason="recorded under the same name since birth, says the GP"
        ),
        expected_version=g(fam, "R09-other-names").version,
    )
    assert (gap.state, gap.na_status, gap.is_open) == ("not-applicable", "agreed", False)


def test_not_applicable_for_a_critical_gap_waits_for_a_supervisor(
    owner: User, supervisor: User, fam: SeedFamily
) -> None:
    gap = gs.gap_answer(
        actor=owner,
        gap=g(fam, "R11-seen-directly"),
        answer=gs.Answer(state="not-applicable", reason="he works abroad most of the year"),
        expected_version=g(fam, "R11-seen-directly").version,
    )
    assert (gap.state, gap.na_status, gap.is_open) == ("not-applicable", "pending", True)
    refused(
        lambda: gs.gap_not_applicable_agree(actor=owner, gap=gap, agree=True, expected_version=gap.version),
        "Only a supervisor can agree that a critical gap does not apply",
    )
    refused(
        lambda: gs.gap_not_applicable_agree(
            actor=supervisor, gap=gap, agree=False, expected_version=gap.version
        ),
        "Say why you do not agree",
    )
    gap = gs.gap_not_applicable_agree(
        actor=supervisor, gap=gap, agree=True, comment="agreed in supervision", expected_version=gap.version
    )
    assert (gap.na_status, gap.na_agreed_by, gap.is_open) == ("agreed", supervisor, False)
    refused(
        lambda: gs.gap_not_applicable_agree(
            actor=supervisor, gap=gap, agree=True, expected_version=gap.version
        ),
        "Nobody has asked for this gap to be treated as not applicable",
    )
    # an agreed gap stays closed while the rule still finds it unmet
    gs.gaps_recompute(network=fam.network, actor=owner)
    gap.refresh_from_db()
    assert not gap.is_open


def test_a_supervisor_can_refuse_not_applicable_and_the_gap_keeps_coming_back(
    owner: User, supervisor: User, fam: SeedFamily
) -> None:
    gap = gs.gap_answer(
        actor=owner,
        gap=g(fam, "R11-seen-directly"),
        answer=gs.Answer(state="not-applicable", reason="mother says he is not around much"),
        expected_version=g(fam, "R11-seen-directly").version,
    )
    gap = gs.gap_not_applicable_agree(
        actor=supervisor,
        gap=gap,
        agree=False,
        comment="he has the baby overnight",
        expected_version=gap.version,
    )
    assert (gap.na_status, gap.is_open) == ("refused", True)
    assert list(gap.events.values_list("kind", flat=True)) == ["opened", "answered", "na-refused"]


def test_an_answered_gap_cannot_be_answered_again(owner: User, fam: SeedFamily) -> None:
    from kinmap.records import services as s

    s.fact_set(
        expected_version=None,
        actor=owner,
        network=fam.network,
        person=fam.father,
        key="other-names",
        value="none",
    )
    gap = g(fam, "R09-other-names")
    refused(
        lambda: gs.gap_answer(
            actor=owner, gap=gap, answer=gs.Answer(state="asked-unknown"), expected_version=gap.version
        ),
        "This gap is no longer open: nothing to record",
    )


# -- contacts ---------------------------------------------------------------------


def test_a_contact_shows_every_open_gap_and_records_who_was_seen(owner: User, fam: SeedFamily) -> None:
    today = date.today()
    contact = gs.contact_open(
        actor=owner,
        network=fam.network,
        type="home-visit",
        date=today,
        present=[fam.mother],
        seen_directly=[fam.father],
    )
    assert set(contact.present.all()) == {fam.mother, fam.father}
    assert list(contact.seen_directly.all()) == [fam.father]
    fam.father.refresh_from_db()
    assert fam.father.seen_directly_on == today
    # being seen resolved R11 for him: it was answered at this contact
    r11 = contact.outcomes.get(gap__key=key(fam, "R11-seen-directly"))
    assert (r11.outcome, r11.gap.is_open) == ("answered", False)
    shown = {o.gap.key for o in contact.outcomes.select_related("gap")}
    still_open = {x.key for x in gm.Gap.objects.filter(network=fam.network) if x.is_open}
    assert still_open <= shown
    assert all(x.times_prompted == 1 for x in gm.Gap.objects.filter(key__in=still_open))
    assert gm.GapEvent.objects.filter(kind="prompted", contact=contact).count() == len(shown)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "visit"}, "Choose the type of contact"),
        ({"date": None}, "Enter the date of the contact"),
        ({"date": date.today() + timedelta(days=1)}, "The date of the contact must be today or in the past"),
    ],
)
def test_contact_open_refuses_bad_input(owner: User, fam: SeedFamily, kwargs: dict, message: str) -> None:
    args: dict[str, Any] = {"actor": owner, "network": fam.network, "type": "clinic", "date": date.today()}
    args.update(kwargs)
    refused(lambda: gs.contact_open(**args), message)


def test_contact_open_refuses_people_from_another_family(owner: User, fam: SeedFamily) -> None:
    other = seed_family(owner, name="Otherfamily")
    refused(
        lambda: gs.contact_open(
            actor=owner, network=fam.network, type="clinic", date=date.today(), seen_directly=[other.father]
        ),
        "Choose people recorded in this family",
    )


def test_one_open_contact_per_practitioner_and_family(owner: User, fam: SeedFamily) -> None:
    gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date(2026, 3, 3))
    refused(
        lambda: gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today()),
        "You already have a contact open with this family (Clinic, 3 March 2026): "
        "close it before starting another",
    )


def test_closing_is_refused_until_every_gap_shown_has_an_outcome(owner: User, fam: SeedFamily) -> None:
    contact = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    # the oldest first: open since the requirement first applied
    pending = list(contact.outcomes.select_related("gap").order_by("gap__open_since", "gap__opened_at", "pk"))
    err = refused(lambda: gs.contact_close(actor=owner, contact=contact), *_close_messages(pending))
    assert err.messages[0] == (
        f"Record an outcome for every gap shown before closing the contact ({len(pending)} to do)"
    )
    assert "Record what happened about: Date of birth not recorded for Dan Testfather" in err.messages


def _close_messages(pending: list[gm.ContactGapOutcome]) -> list[str]:
    return [
        f"Record an outcome for every gap shown before closing the contact ({len(pending)} to do)",
        *[f"Record what happened about: {o.gap.detail}" for o in pending],
    ]


def test_outcomes_then_close(owner: User, fam: SeedFamily) -> None:
    contact = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    dob = g(fam, "R02-birth-father")
    refused(
        lambda: gs.contact_record_outcome(actor=owner, contact=contact, gap=dob, outcome="answered"),
        "Record the answer first (Date of birth not recorded for Dan Testfather): the gap is still open",
    )
    refused(
        lambda: gs.contact_record_outcome(
            actor=owner, contact=contact, gap=dob, outcome="not-asked-this-time", expected_version=dob.version
        ),
        "Say why it was not asked this time",
    )
    gs.contact_record_outcome(
        actor=owner,
        contact=contact,
        gap=dob,
        outcome="absent",
        answer=gs.Answer(state="asked-unknown", reason="mother does not know it"),
        expected_version=dob.version,
    )
    row = contact.outcomes.get(gap=dob)
    assert (row.outcome, row.state) == ("absent", "asked-unknown")
    refused(
        lambda: gs.contact_not_asked_rest(actor=owner, contact=contact, reason=" "),
        "Say why they were not asked this time",
    )
    n = gs.contact_not_asked_rest(actor=owner, contact=contact, reason="visit cut short: baby unwell")
    assert n == contact.outcomes.count() - 1
    closed = gs.contact_close(actor=owner, contact=contact)
    assert closed.status == "closed" and closed.closed_at is not None
    refused(lambda: gs.contact_close(actor=owner, contact=contact), "This contact is already closed")
    refused(
        lambda: gs.contact_record_outcome(
            actor=owner,
            contact=contact,
            gap=dob,
            outcome="not-asked-this-time",
            reason="x",
            expected_version=dob.version,
        ),
        "This contact is closed: start a new contact to record more answers",
    )


def test_a_gap_keeps_coming_back_at_every_contact_until_resolved(owner: User, fam: SeedFamily) -> None:
    from kinmap.records import services as s

    dob = g(fam, "R02-birth-father")
    for n in (1, 2, 3):
        contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today())
        assert contact.outcomes.filter(gap=dob).exists()
        gs.contact_not_asked_rest(actor=owner, contact=contact, reason="no time")
        gs.contact_close(actor=owner, contact=contact)
        dob.refresh_from_db()
        assert dob.times_prompted == n
    s.person_update(
        actor=owner,
        network=fam.network,
        person=fam.father,
        data=s.PersonData.of(fam.father).__class__(
            **{
                **s.PersonData.of(fam.father).__dict__,
                "birth_date": date(1994, 5, 3),
                "birth_date_accuracy": "accurate",
            }
        ),
        expected_version=rm.Person.objects.get(pk=fam.father.pk).version,
        source=s.Source_("said-by", "the mother"),
    )
    contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today())
    assert not contact.outcomes.filter(gap=dob).exists()


def test_household_no_change_is_recorded_and_satisfies_the_roster_rule(owner: User, fam: SeedFamily) -> None:
    household = fam.mother.residences.get().household
    roster = gm.Gap.objects.get(network=fam.network, key=f"R06-household-roster:household:{household.pk}")
    contact = gs.contact_open(
        actor=owner, network=fam.network, type="home-visit", date=date.today() - timedelta(days=1)
    )
    gs.contact_confirm_household(actor=owner, contact=contact, household=household)
    roster.refresh_from_db()
    assert not roster.is_open
    assert contact.outcomes.get(gap=roster).outcome == "answered"
    refused(
        lambda: gs.contact_confirm_household(
            actor=owner, contact=contact, household=household, outcome="maybe"
        ),
        "Choose whether anything has changed",
    )
    gs.contact_not_asked_rest(actor=owner, contact=contact, reason="short visit")
    gs.contact_close(actor=owner, contact=contact)
    # at the next contact, the household is to be reconfirmed again
    roster.refresh_from_db()
    assert not roster.is_open
    later = gs.contact_open(actor=owner, network=fam.network, type="clinic", date=date.today())
    roster.refresh_from_db()
    assert roster.is_open and roster.reopened == 1
    assert later.outcomes.get(gap=roster).outcome == ""


# -- supervision --------------------------------------------------------------------


def test_supervisor_decision_is_recorded_and_only_by_a_supervisor(
    owner: User, supervisor: User, fam: SeedFamily
) -> None:
    refused(
        lambda: gs.supervisor_decision_record(actor=owner, network=fam.network, decision="x"),
        "Only a supervisor can record a supervision decision",
    )
    refused(
        lambda: gs.supervisor_decision_record(actor=supervisor, network=fam.network, decision="  "),
        "Enter the decision",
    )
    refused(
        lambda: gs.supervisor_decision_record(
            actor=supervisor, network=fam.network, decision="ask", agency_request_considered=True
        ),
        "Choose the gap a request to another agency was considered for",
    )
    other = seed_family(owner, name="Otherfamily")
    refused(
        lambda: gs.supervisor_decision_record(
            actor=supervisor, network=fam.network, decision="ask", gap=g(other, "R02-birth-father")
        ),
        "Choose a gap of this family",
    )
    d = gs.supervisor_decision_record(
        actor=supervisor,
        network=fam.network,
        decision="Father's details must be sought from the GP",
        actions="HV to request from GP practice by Friday",
        gap=g(fam, "R02-birth-father"),
    )
    assert (d.by, d.decision, d.gap) == (
        supervisor,
        "Father's details must be sought from the GP",
        g(fam, "R02-birth-father"),
    )
    assert AuditEvent.objects.filter(object_type="supervisor_decision", object_id=str(d.pk)).exists()


def test_a_request_considered_by_the_supervisor_answers_requirement_14(
    owner: User, supervisor: User, fam: SeedFamily
) -> None:
    for _ in range(3):
        contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today())
        gs.contact_not_asked_rest(actor=owner, contact=contact, reason="no time")
        gs.contact_close(actor=owner, contact=contact)
    r14 = f"R14-agency-request:gap:{key(fam, 'R02-birth-father')}"
    assert gm.Gap.objects.get(network=fam.network, key=r14).is_open
    gs.supervisor_decision_record(
        actor=supervisor,
        network=fam.network,
        decision="Asked the GP practice for his date of birth",
        gap=g(fam, "R02-birth-father"),
        agency_request_considered=True,
    )
    assert not gm.Gap.objects.get(network=fam.network, key=r14).is_open


# -- rule settings -------------------------------------------------------------------


def test_only_an_administrator_changes_rule_settings(owner: User) -> None:
    refused(
        lambda: gs.rule_setting_change(
            actor=owner, rule_id="R09-other-names", enabled=False, params={}, reason="x"
        ),
        "Only a partnership administrator can change the rule settings",
    )


@pytest.mark.parametrize(
    ("rule_id", "enabled", "params", "reason", "message"),
    [
        ("R09-other-names", False, {}, " ", "Say why you are making this change"),
        ("R99-made-up", True, {}, "local", "There is no rule R99-made-up"),
        (
            "R14-agency-request",
            True,
            {"min_times_prompted": "three"},
            "local",
            "Setting 'min_times_prompted' of rule R14-agency-request must be a whole number, not 'three'",
        ),
        (
            "R14-agency-request",
            True,
            {"max_times": 2},
            "local",
            "Rule R14-agency-request has no setting 'max_times' (its settings: min_times_prompted)",
        ),
        ("R09-other-names", True, {}, "local", "This makes no change to the rule"),
        (
            "escalation",
            True,
            {"after_days": 0},
            "local",
            "Days before a critical gap is flagged must be at least 1",
        ),
        ("escalation", False, {}, "local", "Escalation to supervisors cannot be switched off"),
    ],
)
def test_bad_rule_settings_are_refused(
    admin: User, rule_id: str, enabled: bool, params: dict, reason: str, message: str
) -> None:
    refused(
        lambda: gs.rule_setting_change(
            actor=admin, rule_id=rule_id, enabled=enabled, params=params, reason=reason
        ),
        message,
    )


def test_switching_a_rule_off_is_recorded_and_closes_its_gaps_everywhere(
    owner: User, admin: User, fam: SeedFamily
) -> None:
    assert g(fam, "R09-other-names").is_open
    row = gs.rule_setting_change(
        actor=admin,
        rule_id="R09-other-names",
        enabled=False,
        params={},
        reason="asked on the GP form instead",
    )
    assert (row.enabled, row.updated_by) == (False, admin)
    change = gm.RuleSettingChange.objects.get()
    assert (change.enabled_before, change.enabled_after, change.by, change.reason) == (
        True,
        False,
        admin,
        "asked on the GP form instead",
    )
    audit = AuditEvent.objects.filter(object_type="rule_setting").get()
    assert (audit.reason, audit.changes["enabled"]) == ("asked on the GP form instead", [True, False])
    assert g(fam, "R09-other-names").is_open  # recomputed in the background, not in the change
    run_worker()
    assert not g(fam, "R09-other-names").is_open
    gs.rule_setting_change(
        actor=admin,
        rule_id="R09-other-names",
        enabled=True,
        params={},
        reason="back on",
        expected_version=row.version,
    )
    run_worker()
    gap = g(fam, "R09-other-names")
    assert gap.is_open and gap.reopened == 1


def test_thresholds_are_tuned_and_defaults_not_stored(admin: User) -> None:
    row = gs.rule_setting_change(
        actor=admin,
        rule_id="R14-agency-request",
        enabled=True,
        params={"min_times_prompted": 2},
        reason="local",
    )
    assert row.params == {"min_times_prompted": 2}
    row = gs.rule_setting_change(
        actor=admin,
        rule_id="R14-agency-request",
        enabled=True,
        params={"min_times_prompted": 3},
        reason="back",
        expected_version=row.version,
    )
    assert row.params == {}
    row = gs.rule_setting_change(
        actor=admin,
        rule_id="escalation",
        enabled=True,
        params={"after_contacts": 3, "after_days": 14},
        reason="x",
    )
    assert row.params == {"after_contacts": 3, "after_days": 14, "after_declines": 2}
    assert gm.RuleSettingChange.objects.count() == 3


def test_a_request_to_another_agency_raised_from_the_gap_answers_requirement_14(
    owner: User, social_team: Team, fam: SeedFamily
) -> None:
    from kinmap.sharing import services as sh

    for _ in range(3):
        contact = gs.contact_open(actor=owner, network=fam.network, type="phone", date=date.today())
        gs.contact_not_asked_rest(actor=owner, contact=contact, reason="no time")
        gs.contact_close(actor=owner, contact=contact)
    r14 = f"R14-agency-request:gap:{key(fam, 'R02-birth-father')}"
    assert gm.Gap.objects.get(network=fam.network, key=r14).is_open
    sh.information_request_create(
        actor=owner,
        network=fam.network,
        person=fam.father,
        what="birth_date",
        to_agency=social_team.agency,
        lawful_basis="safeguarding",
        purpose="He has the baby overnight; we need to know who he is.",
        urgency="standard",
        gap_key=key(fam, "R02-birth-father"),
    )
    assert not gm.Gap.objects.get(network=fam.network, key=r14).is_open


def test_sharing_decisions_are_read_by_the_rules(owner: User, fam: SeedFamily) -> None:
    from kinmap.sharing import services as sh

    decision = sh.sharing_decision_record(
        actor=owner,
        network=fam.network,
        decision="share",
        what="Household composition",
        with_whom="GP practice",
        lawful_basis="safeguarding",
        rationale="The GP needs to know who lives with the baby.",
        family_told=True,
    )
    gaps = list(gm.Gap.objects.filter(network=fam.network))
    inputs = gs.process_inputs(fam.network, gaps)
    assert [(d.id, d.shared, d.lawful_basis, d.decided_by) for d in inputs.sharing_decisions] == [
        (decision.pk, True, "safeguarding", owner.username)
    ]
    # a decision with its rationale and lawful basis leaves nothing to ask (requirement 16)
    assert not gm.Gap.objects.filter(network=fam.network, rule_id="R16-sharing-decisions").exists()
