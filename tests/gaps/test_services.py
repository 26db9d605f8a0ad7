"""The gap, supervision and rule-setting services: what they record, and bad
input refused with a clear message and nothing saved (the contact services are
in test_contact_services.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kinmap.accounts.models import Role, Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
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
