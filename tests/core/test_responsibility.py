"""Parental responsibility over time: what an order or a death ends, what the
checks refuse, and how requirement 4 reads the current state."""

from __future__ import annotations

from datetime import date, timedelta

from kinmap.core.model import CareArrangement
from kinmap.core.model import ParentalResponsibility as PR
from kinmap.core.responsibility import ended_by_death, ended_by_order
from kinmap.core.rules import evaluate
from kinmap.core.validation import Problem, network_problems
from kinmap.core.vocab import DateAccuracy, PRBasis
from tests.core.builders import Family, complete_family

ORDER_DAY = date(2025, 1, 10)
B = PRBasis


def test_an_adoption_order_ends_everyone_elses_running_records_on_its_day() -> None:
    mother = PR(1, 10, 99, B.BIRTH_MOTHER)
    father = PR(2, 11, 99, B.JOINT_REGISTRATION, start=date(2024, 5, 1))
    foster_sgo = PR(3, 12, 99, B.SPECIAL_GUARDIANSHIP, start=date(2024, 6, 1), end=date(2024, 9, 1))  # over
    other_child = PR(4, 10, 98, B.BIRTH_MOTHER)
    adopter_a = PR(5, 20, 99, B.ADOPTION_ORDER, start=ORDER_DAY)
    adopter_b = PR(6, 21, 99, B.ADOPTION_ORDER, start=ORDER_DAY)  # a couple adopting together
    records = [mother, father, foster_sgo, other_child, adopter_a, adopter_b]
    assert ended_by_order(records, adopter_b) == {1: ORDER_DAY, 2: ORDER_DAY}
    # a parental order (surrogacy) does the same
    intended = PR(7, 20, 99, B.PARENTAL_ORDER, start=ORDER_DAY)
    assert ended_by_order([mother, father, intended], intended) == {1: ORDER_DAY, 2: ORDER_DAY}


def test_other_orders_share_it_and_an_order_without_a_date_ends_nothing() -> None:
    mother = PR(1, 10, 99, B.BIRTH_MOTHER)
    for basis in (B.SPECIAL_GUARDIANSHIP, B.CHILD_ARRANGEMENTS, B.COURT_ORDER, B.MARRIED):
        assert ended_by_order([mother], PR(2, 30, 99, basis, start=ORDER_DAY)) == {}
    assert ended_by_order([mother], PR(2, 30, 99, B.ADOPTION_ORDER)) == {}
    # a record that starts on or after the order's day is not ended by it
    later = PR(3, 31, 99, B.CHILD_ARRANGEMENTS, start=ORDER_DAY + timedelta(days=30))
    assert ended_by_order([later], PR(2, 30, 99, B.ADOPTION_ORDER, start=ORDER_DAY)) == {}


def test_death_ends_the_records_running_on_the_day() -> None:
    died = date(2025, 2, 1)
    records = [
        PR(1, 10, 99, B.BIRTH_MOTHER),
        PR(2, 10, 98, B.COURT_ORDER, start=date(2020, 1, 1), end=date(2021, 1, 1)),  # already over
        PR(3, 10, 97, B.AGREEMENT, end=date(2025, 3, 1)),  # would have run on
        PR(4, 10, 96, B.AGREEMENT, start=date(2025, 4, 1)),  # starts after: for the checks to refuse
    ]
    assert ended_by_death(records, died) == {1: died, 3: died}
    care = [CareArrangement(5, 10, 99), CareArrangement(6, 10, 99, end=died)]
    assert ended_by_death(care, died) == {5: died}


# -- the checks -------------------------------------------------------------


def _with(f: Family, *records: PR) -> list[Problem]:
    net = f.network()
    net = net.__class__(**{**net.__dict__, "parental_responsibility": records})
    return [p for p in network_problems(net, f.b.today) if p.record == "pr"]


def test_impossible_periods_are_refused() -> None:
    f = complete_family()
    born = f.b.people[f.amy].birth_date
    assert born is not None
    assert _with(f, PR(1, f.sarah, f.amy, B.COURT_ORDER, start=ORDER_DAY, end=ORDER_DAY - timedelta(1))) == [
        Problem("pr", 1, "end", "The end date must be on or after the start date")
    ]
    assert _with(f, PR(1, f.sarah, f.amy, B.ADOPTION_ORDER)) == [
        Problem("pr", 1, "start", "Enter the date the order was made")
    ]
    [before_birth] = _with(f, PR(1, f.daniel, f.amy, B.AGREEMENT, start=born - timedelta(days=1)))
    assert before_birth.message.startswith("Parental responsibility cannot start before Amy Brook was born")
    f.b.update(f.daniel, death_date=born + timedelta(days=2))
    [after_death] = _with(f, PR(1, f.daniel, f.amy, B.AGREEMENT, start=born + timedelta(days=3)))
    assert after_death.message.startswith("Daniel Carter had died")


def test_two_records_for_a_pair_at_once_are_refused_but_held_lost_and_regained_is_allowed() -> None:
    f = complete_family()
    born = f.b.people[f.amy].birth_date
    assert born is not None
    first = PR(1, f.daniel, f.amy, B.JOINT_REGISTRATION, end=born + timedelta(days=10))
    again = PR(2, f.daniel, f.amy, B.CHILD_ARRANGEMENTS, start=born + timedelta(days=30))
    assert _with(f, first, again) == []
    overlapping = PR(3, f.daniel, f.amy, B.COURT_ORDER, start=born + timedelta(days=5))
    assert _with(f, first, again, overlapping) == [
        Problem(
            "pr",
            3,
            "start",
            "Daniel Carter already has a parental responsibility record for this child at that time: "
            "end it first, or change the dates",
        )
    ]


# -- requirement 4 reads the current state ---------------------------------


def r4(f: Family) -> list[str]:
    gaps = evaluate(f.network(), f.b.today, process=f.process())
    return [u.key for u in gaps if u.rule_id == "R04-parental-responsibility"]


def test_r4_satisfied_by_a_current_record_or_by_records_that_have_ended() -> None:
    f = complete_family()
    assert r4(f) == []
    daniel_pr = next(r.id for r in f.b.responsibilities if r.person_id == f.daniel)
    f.b.drop(daniel_pr)
    f.b.responsibilities.append(PR(900, f.daniel, f.amy, B.JOINT_REGISTRATION, end=f.b.today - timedelta(1)))
    assert r4(f) == []  # held and ended: he holds none now, and that is recorded


def test_r4_unsatisfied_when_the_current_record_says_not_known_or_only_a_future_one_exists() -> None:
    f = complete_family()
    daniel_pr = next(r.id for r in f.b.responsibilities if r.person_id == f.daniel)
    f.b.drop(daniel_pr)
    f.b.responsibilities.append(PR(900, f.daniel, f.amy, B.UNKNOWN))
    assert r4(f) == [f"R04-parental-responsibility:person:{f.daniel}:{f.amy}"]
    f.b.drop(900)
    f.b.responsibilities.append(PR(901, f.daniel, f.amy, B.AGREEMENT, start=f.b.today + timedelta(days=10)))
    assert r4(f) == [f"R04-parental-responsibility:person:{f.daniel}:{f.amy}"]


def test_r4_not_applicable_before_the_birth() -> None:
    f = complete_family()
    f.b.responsibilities.clear()
    assert len(r4(f)) == 2
    f.b.update(f.amy, birth_date=f.b.today + timedelta(days=30), birth_date_accuracy=DateAccuracy.EXPECTED)
    assert r4(f) == []
