# mypy: disable-error-code="func-returns-value"
"""Requirements 12 to 16, the sources and the process requirements: every key
fact has a source, declines are recorded, agency requests are considered, and
sharing decisions have a rationale and a lawful basis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from kinmap.core.rules import Decline, GapHistory, ProcessInputs, SharingDecision, evaluate
from tests.core.builders import Family, complete_family
from tests.core.test_rules_others import CRIT, IMP, ROUT, Change, found

# -- 12: sources ------------------------------------------------------------


def test_r12_satisfied_when_every_key_fact_has_a_source() -> None:
    assert found(complete_family(), "R12-sources") == []


def _unsourced(f: Family, record_id: int) -> None:
    for name in ("relationships", "residences", "care_arrangements", "responsibilities"):
        setattr(
            f.b,
            name,
            [
                r.__class__(**{**r.__dict__, "provenance": None}) if r.id == record_id else r
                for r in getattr(f.b, name)
            ],
        )


@pytest.mark.parametrize(
    ("change", "key", "missing"),
    [
        pytest.param(
            lambda f: f.b.update(f.sarah, provenance={}, nhs_number="9434765919"),
            "person:{sarah}",
            ("name_source", "birth_date_source", "nhs_number_source", "phone_source", "email_source"),
            id="person-fields",
        ),
        pytest.param(
            lambda f: _unsourced(f, f.daniel_rel), "relationship:{rel}", ("source",), id="relationship"
        ),
        pytest.param(lambda f: _unsourced(f, f.daniel_home), "residence:{home}", ("source",), id="address"),
        pytest.param(lambda f: _unsourced(f, f.daniel_care), "care:{care}:{amy}", ("source",), id="care"),
    ],
)
def test_r12_unsatisfied(change: Change, key: str, missing: tuple[str, ...]) -> None:
    f = complete_family()
    change(f)
    subject = key.format(sarah=f.sarah, rel=f.daniel_rel, home=f.daniel_home, care=f.daniel_care, amy=f.amy)
    assert found(f, "R12-sources") == [(f"R12-sources:{subject}", ROUT, missing)]


def test_r12_not_applicable_to_past_records_or_the_dead() -> None:
    f = complete_family()
    moved = f.b.lives_at(f.sarah, f.flat, end=f.b.today - timedelta(days=400), sourced=False)
    late = f.b.person("Ada", "Brook", birth_date=f.b.today - timedelta(days=30000), death_date=f.b.today)
    assert moved and late
    assert found(f, "R12-sources") == []


# -- 13: declines -----------------------------------------------------------


def with_process(f: Family, **inputs: object) -> ProcessInputs:
    base = f.process()
    return ProcessInputs(
        last_contact_on=base.last_contact_on,
        last_roster_confirmed=base.last_roster_confirmed,
        **inputs,  # type: ignore[arg-type]
    )


def test_r13_satisfied_by_a_full_decline_record() -> None:
    f = complete_family()
    d = Decline(
        1,
        f"R02-birth-father:person:{f.daniel}",
        f.b.today,
        f.sarah,
        "worried he will be contacted",
        "anxious, revisit",
        "hv.ellis",
    )
    assert found(f, "R13-reluctance", with_process(f, declines=(d,))) == []


def test_r13_unsatisfied_without_reason_or_view() -> None:
    f = complete_family()
    d = Decline(7, f"R02-birth-father:person:{f.daniel}", f.b.today, f.sarah, recorded_by="hv.ellis")
    assert found(f, "R13-reluctance", with_process(f, declines=(d,))) == [
        ("R13-reluctance:decline:7", IMP, ("reason", "practitioner_view"))
    ]


def test_r13_not_applicable_without_declines() -> None:
    assert found(complete_family(), "R13-reluctance") == []


# -- 14: agency requests ----------------------------------------------------


def father_gap(f: Family) -> str:
    f.b.update(f.daniel, birth_date=None)  # a critical gap: Amy is a baby
    return f"R02-birth-father:person:{f.daniel}"


def test_r14_satisfied_when_a_request_was_considered() -> None:
    f = complete_family()
    gap = father_gap(f)
    history = {gap: GapHistory(gap, times_prompted=4, request_considered=True)}
    assert found(f, "R14-agency-request", with_process(f, gap_history=history)) == []


def test_r14_unsatisfied_after_three_prompts() -> None:
    f = complete_family()
    gap = father_gap(f)
    history = {gap: GapHistory(gap, times_prompted=3, first_opened=f.b.today - timedelta(days=40))}
    assert found(f, "R14-agency-request", with_process(f, gap_history=history)) == [
        (f"R14-agency-request:gap:{gap}", CRIT, ("information_request",))
    ]


@pytest.mark.parametrize(
    ("gap_of", "times"),
    [
        pytest.param(father_gap, 2, id="asked-only-twice"),
        pytest.param(
            lambda f: (f.b.update(f.sarah, seen_directly_on=None), f"R11-seen-directly:person:{f.sarah}")[1],
            9,
            id="gap-not-critical",
        ),
    ],
)
def test_r14_not_applicable(gap_of: Callable[[Family], str], times: int) -> None:
    f = complete_family()
    gap = gap_of(f)
    history = {gap: GapHistory(gap, times_prompted=times)}
    assert found(f, "R14-agency-request", with_process(f, gap_history=history)) == []


def r14_details(f: Family, process: ProcessInputs) -> list[str]:
    gaps = evaluate(f.network(), f.b.today, process=process)
    return [u.detail for u in gaps if u.rule_id == "R14-agency-request"]


def long_open(gap: str, today: date, **history: object) -> dict[str, GapHistory]:
    """A gap whose requirement first applied 400 days ago (``open_since``) but
    which was raised (loaded) only two days ago (``first_opened``)."""
    return {
        gap: GapHistory(
            gap,
            first_opened=today - timedelta(days=2),
            open_since=today - timedelta(days=400),
            **history,  # type: ignore[arg-type]
        )
    }


def test_r14_unsatisfied_states_the_age_from_open_since_not_the_day_raised() -> None:
    f = complete_family()
    gap = father_gap(f)
    history = long_open(gap, f.b.today, times_prompted=3)
    process = with_process(f, gap_history=history)
    assert found(f, "R14-agency-request", process) == [
        (f"R14-agency-request:gap:{gap}", CRIT, ("information_request",))
    ]
    (detail,) = r14_details(f, process)
    since, raised = f.b.today - timedelta(days=400), f.b.today - timedelta(days=2)
    assert f"after asking 3 times since {since:%-d %B %Y}:" in detail
    assert f"{raised:%-d %B %Y}" not in detail


def test_r14_states_the_day_raised_when_open_since_is_not_known() -> None:
    f = complete_family()
    gap = father_gap(f)
    raised = f.b.today - timedelta(days=2)
    history = {gap: GapHistory(gap, times_prompted=3, first_opened=raised)}
    (detail,) = r14_details(f, with_process(f, gap_history=history))
    assert f"since {raised:%-d %B %Y}:" in detail


def test_r14_satisfied_by_a_request_considered_however_long_open() -> None:
    f = complete_family()
    gap = father_gap(f)
    history = long_open(gap, f.b.today, times_prompted=5, request_considered=True)
    assert found(f, "R14-agency-request", with_process(f, gap_history=history)) == []


def test_r14_not_applicable_when_long_open_but_asked_too_few_times() -> None:
    """Rule 14 escalates on asking: a gap open a long time (by ``open_since``)
    but asked fewer than ``min_times_prompted`` times is not in its scope."""
    f = complete_family()
    gap = father_gap(f)
    history = long_open(gap, f.b.today, times_prompted=2)
    assert found(f, "R14-agency-request", with_process(f, gap_history=history)) == []


# -- 16: sharing decisions --------------------------------------------------


def test_r16_satisfied_with_rationale_and_lawful_basis() -> None:
    f = complete_family()
    d = SharingDecision(3, f.b.today, True, "GP needs to know about overnight care", "UK GDPR 6(1)(e)")
    assert found(f, "R16-sharing-decisions", with_process(f, sharing_decisions=(d,))) == []


def test_r16_unsatisfied_without_lawful_basis() -> None:
    f = complete_family()
    d = SharingDecision(3, f.b.today, False, "mother asked us not to")
    assert found(f, "R16-sharing-decisions", with_process(f, sharing_decisions=(d,))) == [
        ("R16-sharing-decisions:sharing-decision:3", IMP, ("lawful_basis",))
    ]


def test_r16_not_applicable_without_decisions() -> None:
    assert found(complete_family(), "R16-sharing-decisions") == []
