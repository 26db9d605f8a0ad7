"""The family file carries a family's whole history (version 2): its gaps with
every step, its contacts (a backdated one too), supervisors' decisions and
actions, and sharing decisions. Export, import into a clean record and export
again gives the same file; the incomplete states the pages refuse arrive from
another system and the requirements about them (13 and 16) report them after
the import; a hostile file is refused with the place named and nothing saved."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kinmap.accounts.models import Team, User
from kinmap.audit.models import AuditEvent
from kinmap.gaps import models as gm
from kinmap.gaps import services as gs
from kinmap.gaps.actions import supervisor_action_complete
from kinmap.records import models as m
from kinmap.records import services as s
from kinmap.records.family_file import (
    FamilyFileError,
    family_file_export,
    family_file_import,
    family_file_read,
)
from kinmap.records.family_file.history_schema import HISTORY_SECTIONS
from kinmap.sharing import services as sh
from kinmap.sharing.models import InformationRequest, SharingDecision
from tests.access.world import askable_gap
from tests.gaps.family import SeedFamily
from tests.gaps.test_gap_summary import check as check_summary

AS_ADMIN = ("--as", "partnership.admin", "--reason", "Moving the family to another kinmap")


def open_gaps(network: m.FamilyNetwork) -> list[gm.Gap]:
    return list(gm.Gap.objects.filter(network=network, resolved_at__isnull=True).order_by("pk"))


@pytest.fixture
def history(fam: SeedFamily, owner: User, supervisor: User, social_team: Team) -> SeedFamily:
    """The seed family with every kind of history, recorded through the services:
    a backdated contact closed with a decline, a not-applicable agreed by a
    supervisor, a gap not asked this time and a household checked; a gap
    resolved later; a supervisor's decision with an action completed; a
    decision to share."""
    net = fam.network
    today = timezone.localdate()
    contact = gs.contact_open(
        actor=owner,
        network=net,
        type="home-visit",
        date=today - timedelta(days=20),  # recorded three weeks after the visit
        present=[fam.mother, fam.baby],
        seen_directly=[fam.mother],
    )
    home = m.Residence.objects.filter(person=fam.mother).first()
    assert home is not None
    gs.contact_confirm_household(actor=owner, contact=contact, household=home.household)
    gaps = open_gaps(net)
    declined, not_applicable = gaps[0], next(g for g in gaps if g.severity == gm.Severity.CRITICAL)
    assert declined != not_applicable
    gs.contact_record_outcome(
        actor=owner,
        contact=contact,
        gap=declined,
        outcome=gm.Outcome.ABSENT,
        answer=gs.Answer(
            state=gm.GapState.ASKED_DECLINED,
            reason="He said it is nobody's business",
            practitioner_view="Wary of services after a past assessment",
            declined_by=fam.father,
        ),
        expected_version=declined.version,
    )
    gs.contact_record_outcome(
        actor=owner,
        contact=contact,
        gap=not_applicable,
        outcome=gm.Outcome.ABSENT,
        answer=gs.Answer(state=gm.GapState.NOT_APPLICABLE, reason="The father has no other children"),
        expected_version=not_applicable.version,
    )
    not_applicable.refresh_from_db()
    gs.gap_not_applicable_agree(
        actor=supervisor, gap=not_applicable, agree=True, expected_version=not_applicable.version
    )
    gs.contact_not_asked_rest(actor=owner, contact=contact, reason="The baby was unsettled")
    gs.contact_close(actor=owner, contact=contact)
    # a fact recorded later resolves a gap (its step keeps where the fact came from)
    father = m.Person.objects.get(pk=fam.father.pk)
    s.person_update(
        actor=owner,
        network=net,
        person=father,
        data=dataclasses.replace(
            s.PersonData(**{f.name: getattr(father, f.name) for f in dataclasses.fields(s.PersonData)}),
            birth_date=today.replace(year=today.year - 30),
            birth_date_accuracy="accurate",
        ),
        expected_version=father.version,
        source=s.Source_("said-by", "the father"),
    )
    decision = gs.supervisor_decision_record(
        actor=supervisor,
        network=net,
        decision="Ask the father again at the next visit",
        gap=declined,
        action_items=[gs.ActionData("Visit the father", owner, today + timedelta(days=7))],
    )
    action = gm.SupervisorAction.objects.get(decision=decision)
    supervisor_action_complete(actor=owner, action=action, note="Visited", expected_version=action.version)
    request = sh.information_request_create(
        actor=owner,
        network=net,
        person=fam.father,
        what="fact:adult-services",
        to_agency=social_team.agency,
        lawful_basis="safeguarding",
        purpose="Whether adult services know the father, who cares for the baby",
        urgency="standard",
        # raised from his open gap, as the gap's link offers
        gap_key=askable_gap(net, fam.father, "fact:adult-services"),
    )
    sh.sharing_decision_record(
        request=request,
        actor=owner,
        network=net,
        decision="share",
        what="The father's address",
        with_whom="Children's social care",
        lawful_basis="safeguarding",
        rationale="A child may be at risk",
        family_told=False,
        family_not_told_reason="Telling him may put the baby at risk",
        person=fam.father,
    )
    return fam


def wipe() -> None:
    """Everything about families, as in a kinmap that has never seen them (the users stay)."""
    SharingDecision.objects.all().delete()
    InformationRequest.objects.all().delete()
    m.FamilyNetwork.objects.all().delete()
    m.Person.objects.all().delete()
    m.Household.objects.all().delete()
    assert not gm.Gap.objects.exists() and not gm.Contact.objects.exists()


def load(text: str, actor: User | None = None) -> list[m.FamilyNetwork]:
    return family_file_import(family_file=family_file_read(text), actor=actor, file_name="test.json").networks


# -- round trip ----------------------------------------------------------------------


def test_a_family_with_every_kind_of_history_round_trips(history: SeedFamily) -> None:
    first = family_file_export([history.network], include_masked=True)
    doc = json.loads(first.text)
    assert doc["kinmap-family-file"] == 2
    steps = [e for g in doc["gaps"] for e in g["events"]]
    kinds = {e["kind"] for e in steps}
    assert {"opened", "prompted", "answered", "not-asked-this-time", "resolved", "na-agreed"} <= kinds
    decline = next(e for e in steps if e["state"] == "asked-declined")
    assert decline["reason"] == "He said it is nobody's business"
    assert decline["practitioner_view"] == "Wary of services after a past assessment"
    assert decline["by"] == "hv.owner" and decline["contact"] == "c1" and decline["declined_by"]
    (contact,) = doc["contacts"]
    assert contact["status"] == "closed" and contact["date"] < contact["opened_at"][:10]
    assert contact["household_checks"] and contact["outcomes"] and contact["seen_directly"]
    assert doc["supervisor_decisions"][0]["action_items"][0]["completed_by"] == "hv.owner"
    assert doc["sharing_decisions"][0]["lawful_basis"] == "safeguarding"
    (request,) = doc["information_requests"]
    assert request["gap"] and request["to_agency"] and doc["sharing_decisions"][0]["request"] == "r1"
    assert first.counts["gaps"] == len(doc["gaps"]) > 0
    # when each requirement first applied, and the day a backdated step happened
    assert all(g["open_since"] and g["open_since_basis"] for g in doc["gaps"])
    assert any(g["open_since_basis"] == "family-dates" for g in doc["gaps"])
    assert decline["occurred_on"] == contact["date"]

    wipe()
    (network,) = load(first.text)
    again = family_file_export([network], include_masked=True)
    assert again.text == first.text
    # each record keeps when it happened, and when it was imported
    imported = gm.Contact.objects.get(network=network)
    assert imported.opened_at.isoformat().startswith(contact["opened_at"][:19])
    assert imported.imported_at is not None and imported.imported_at > imported.opened_at
    assert all(g.imported_at is not None for g in gm.Gap.objects.filter(network=network))
    assert SharingDecision.objects.get(network=network).imported_at is not None
    assert gm.SupervisorDecision.objects.get(network=network).imported_at is not None
    # the worklists' summary of the family's gaps is the file's gaps, not the engine's
    check_summary(network)


def test_a_version_1_file_still_imports(accounts_and_v1: str) -> None:
    (network,) = load(accounts_and_v1)
    assert json.loads(family_file_export([network]).text)["kinmap-family-file"] == 2


@pytest.fixture
def accounts_and_v1(history: SeedFamily) -> str:
    doc = json.loads(family_file_export([history.network], include_masked=True).text)
    doc["kinmap-family-file"] = 1
    for key in HISTORY_SECTIONS:
        del doc[key]
    wipe()
    return json.dumps(doc)


# -- incomplete states from another system -------------------------------------------


def test_a_decline_counts_on_its_gap_whatever_the_file_says(history: SeedFamily) -> None:
    """A file whose declined gap says it was never declined imports with the
    decline counted: the supervision page finds a family's declines through
    its gaps ever declined."""
    doc = json.loads(family_file_export([history.network], include_masked=True).text)
    (gap,) = [g for g in doc["gaps"] if any(e["state"] == "asked-declined" for e in g["events"])]
    gap["times_declined"] = 0
    wipe()
    (network,) = load(json.dumps(doc))
    event = gm.GapEvent.objects.get(gap__network=network, state=gm.GapState.ASKED_DECLINED)
    assert event.gap.times_declined == 1


def test_incomplete_decline_and_sharing_decision_are_kept_and_reported(history: SeedFamily) -> None:
    """A decline with no practitioner's view and a sharing decision with no lawful
    basis (both refused by the pages) import as they are, and requirements 13
    and 16 report them through the engine."""
    doc = json.loads(family_file_export([history.network], include_masked=True).text)
    decline = next(e for g in doc["gaps"] for e in g["events"] if e["state"] == "asked-declined")
    decline["practitioner_view"] = ""
    doc["sharing_decisions"][0]["lawful_basis"] = None
    wipe()
    (network,) = load(json.dumps(doc))
    event = gm.GapEvent.objects.get(gap__network=network, state=gm.GapState.ASKED_DECLINED)
    assert event.practitioner_view == "" and event.reason == "He said it is nobody's business"
    shared = SharingDecision.objects.get(network=network)
    assert shared.lawful_basis == ""
    reluctance = gm.Gap.objects.get(network=network, rule_id="R13-reluctance")
    assert (reluctance.subject_kind, reluctance.subject_id) == ("decline", str(event.pk))
    assert reluctance.is_open and reluctance.missing == ["practitioner_view"]
    sharing = gm.Gap.objects.get(network=network, rule_id="R16-sharing-decisions")
    assert (sharing.subject_kind, sharing.subject_id) == ("sharing-decision", str(shared.pk))
    assert sharing.is_open and sharing.missing == ["lawful_basis"]


def test_complete_history_raises_no_process_gaps(history: SeedFamily) -> None:
    """The control for the test above: the same file, complete, opens neither."""
    text = family_file_export([history.network], include_masked=True).text
    wipe()
    (network,) = load(text)
    assert not gm.Gap.objects.filter(
        network=network, rule_id__in=["R13-reluctance", "R16-sharing-decisions"]
    ).exists()


# -- hostile files ---------------------------------------------------------------------


def _edit_decline(doc: dict[str, Any], **values: Any) -> None:
    for g in doc["gaps"]:
        for e in g["events"]:
            if e["state"] == "asked-declined":
                e.update(values)
                return


def _gap_with_steps(doc: dict[str, Any]) -> dict[str, Any]:
    return next(g for g in doc["gaps"] if len(g["events"]) > 1)


HOSTILE: list[tuple[str, Any, str]] = [
    (
        "a requirement that applied after its gap was raised",
        lambda d: d["gaps"][0].update(open_since="2199-01-01"),
        'gaps[0] (id "g1"): open_since: is after opened_at',
    ),
    (
        "an unknown way of finding when a requirement applied",
        lambda d: d["gaps"][0].update(open_since_basis="guessed"),
        'gaps[0] (id "g1"): open_since_basis: "guessed" is not one of',
    ),
    (
        "a step that happened after it was recorded",
        lambda d: _gap_with_steps(d)["events"][-1].update(occurred_on="2199-01-01"),
        "occurred_on: is after the day the step was recorded",
    ),
    (
        "a subject that is not in the file",
        lambda d: d["gaps"][0].update(subject_kind="person", subject="p99"),
        'gaps[0] (id "g1"): subject: no person "p99" in network "n1"',
    ),
    (
        "a relationship's place past the end",
        lambda d: d["gaps"][0].update(subject_kind="relationship", subject="relationships[99]"),
        'gaps[0] (id "g1"): subject: no relationships[99]: the file has',
    ),
    (
        "an unknown kind of step",
        lambda d: d["gaps"][0]["events"][0].update(kind="exploded"),
        'gaps[0] (id "g1"): events[0].kind: "exploded" is not one of: opened, prompted',
    ),
    (
        "an unknown kind of subject",
        lambda d: d["gaps"][0].update(subject_kind="planet"),
        'gaps[0] (id "g1"): subject_kind: "planet" is not one of: person',
    ),
    (
        "two gaps with one id",
        lambda d: d["gaps"][1].update(id="g1"),
        'gaps[1] (id "g1"): id: "g1" is already used by gaps[0]',
    ),
    (
        "a step before the gap was raised",
        lambda d: _gap_with_steps(d)["events"][-1].update(at="2001-01-01T00:00:00Z"),
        "is before the gap's opened_at",
    ),
    (
        "a gap resolved before it was raised",
        lambda d: next(g for g in d["gaps"] if g["resolved_at"]).update(resolved_at="2001-01-01T00:00:00Z"),
        "resolved_at: is before opened_at: a gap cannot be resolved before it was raised",
    ),
    (
        "a contact closed before it was opened",
        lambda d: d["contacts"][0].update(closed_at="2001-01-01T00:00:00Z"),
        'contacts[0] (id "c1"): closed_at: is before opened_at',
    ),
    (
        "a person at a contact who is not in the family",
        lambda d: d["contacts"][0]["present"].append("p99"),
        'contacts[0] (id "c1"): present[2]: no person with id "p99" in network "n1"',
    ),
    (
        "an outcome for a gap that is not in the file",
        lambda d: d["contacts"][0]["outcomes"][0].update(gap="g99"),
        'contacts[0] (id "c1"): outcomes[0].gap: no gap with id "g99"',
    ),
    (
        "a decline by someone not in the family",
        lambda d: _edit_decline(d, declined_by="p99"),
        'no person with id "p99" in network "n1"',
    ),
    (
        "a decision about a gap that is not in the file",
        lambda d: d["supervisor_decisions"][0].update(gap="g99"),
        'supervisor_decisions[0] (id "d1"): gap: no gap with id "g99"',
    ),
    (
        "a sharing decision by a user kinmap does not have",
        lambda d: d["sharing_decisions"][0].update(decided_by="someone.elsewhere"),
        'sharing_decisions[0] (id "s1"): decided_by: no user "someone.elsewhere": add the user first',
    ),
    (
        "a request to an agency kinmap does not have",
        lambda d: d["information_requests"][0].update(to_agency="Nowhere Council"),
        'information_requests[0] (id "r1"): to_agency: no agency "Nowhere Council"',
    ),
    (
        "a request answered before it was made",
        lambda d: d["information_requests"][0].update(
            status="answered", answered_by="hv.owner", answered_at="2001-01-01T00:00:00Z"
        ),
        'information_requests[0] (id "r1"): answered_at: is before requested_at',
    ),
    (
        "a sharing decision on a request that is not in the file",
        lambda d: d["sharing_decisions"][0].update(request="r9"),
        'sharing_decisions[0] (id "s1"): request: no information request with id "r9"',
    ),
    (
        "an unknown lawful basis",
        lambda d: d["sharing_decisions"][0].update(lawful_basis="because"),
        'sharing_decisions[0] (id "s1"): lawful_basis: "because" is not one of: safeguarding',
    ),
    (
        "a field the format does not have",
        lambda d: d["contacts"][0].update(mood="fine"),
        'contacts[0] (id "c1"): mood: is not a field of a contact',
    ),
    (
        "the history in a version 1 file",
        lambda d: d.update({"kinmap-family-file": 1}),
        "gaps: is not part of version 1",
    ),
    (
        "gaps about each other",
        lambda d: (
            d["gaps"][0].update(subject_kind="gap", subject="g2"),
            d["gaps"][1].update(subject_kind="gap", subject="g1"),
        ),
        'gaps[0] (id "g1"): subject: gaps about each other in a circle',
    ),
    (
        "a decline subject that is not a decline",
        lambda d: d["gaps"][0].update(
            subject_kind="decline", subject=f"{_gap_with_steps(d)['id']}.events[0]"
        ),
        "is not a decline",
    ),
]


@pytest.mark.parametrize(("what", "edit", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_history_is_refused_naming_the_place_and_nothing_is_saved(
    history: SeedFamily, what: str, edit: Any, message: str
) -> None:
    doc = json.loads(family_file_export([history.network], include_masked=True).text)
    edit(doc)
    wipe()
    with pytest.raises(FamilyFileError) as info:
        load(json.dumps(doc))
    assert any(message in msg for msg in info.value.messages), info.value.messages
    assert not m.FamilyNetwork.objects.exists()
    assert not gm.Gap.objects.exists() and not gm.Contact.objects.exists()
    assert not SharingDecision.objects.exists()


def test_the_history_moves_with_the_dates(history: SeedFamily) -> None:
    """With --shift-dates, every date and time of the history moves by the same days."""
    doc = json.loads(family_file_export([history.network], include_masked=True).text)
    today = timezone.localdate()
    doc["reference_date"] = (today - timedelta(days=10)).isoformat()
    ff = family_file_read(json.dumps(doc), shift_to=today)
    contact = doc["contacts"][0]
    assert (
        ff.contacts[0].date.isoformat()
        == (date.fromisoformat(contact["date"]) + timedelta(days=10)).isoformat()
    )
    assert ff.contacts[0].opened_at == datetime.fromisoformat(contact["opened_at"]) + timedelta(days=10)
    step = ff.gaps[0].events[0]
    assert step.at == datetime.fromisoformat(doc["gaps"][0]["events"][0]["at"]) + timedelta(days=10)
    due = doc["supervisor_decisions"][0]["action_items"][0]["due"]
    assert ff.supervisor_decisions[0].action_items[0].due.isoformat() > due


# -- the commands ---------------------------------------------------------------------


def test_the_commands_carry_the_history_and_audit_it(history: SeedFamily, tmp_path: Path) -> None:
    from kinmap.records.demo_setup import demo_accounts_ensure

    demo_accounts_ensure()
    target = tmp_path / "family.json"
    as_owner = ("--as", "hv.owner", "--reason", "Moving the family to another kinmap")
    call_command("export", str(history.network.pk), "-o", str(target), *as_owner, stdout=io.StringIO())
    exported = AuditEvent.objects.filter(action="export", network_id=history.network.pk).get()
    assert exported.changes["gaps"][1] > 0 and exported.changes["contacts"] == [None, 1]
    text = target.read_text(encoding="utf-8")
    wipe()
    out = io.StringIO()
    call_command("import", str(target), *AS_ADMIN, stdout=out)
    event = AuditEvent.objects.filter(action="import").get()
    assert event.changes["contacts"] == [None, 1] and event.changes["sharing_decisions"] == [None, 1]
    network = m.FamilyNetwork.objects.get()
    assert AuditEvent.objects.filter(object_type="family_history", network_id=network.pk).exists()
    assert family_file_export([network], include_masked=True).text == text


def test_the_import_command_refuses_a_hostile_history(history: SeedFamily, tmp_path: Path) -> None:
    from kinmap.records.demo_setup import demo_accounts_ensure

    demo_accounts_ensure()
    doc = json.loads(family_file_export([history.network], include_masked=True).text)
    doc["gaps"][1]["id"] = doc["gaps"][0]["id"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    wipe()
    with pytest.raises(CommandError, match=r'gaps\[1\] \(id "g1"\): id: "g1" is already used by gaps\[0\]'):
        call_command("import", str(bad), *AS_ADMIN, stdout=io.StringIO())
    assert not m.FamilyNetwork.objects.exists() and not gm.Gap.objects.exists()
