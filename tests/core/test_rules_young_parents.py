"""Requirement 22: a birth parent under 18 at the birth is a child too."""

from __future__ import annotations

from datetime import timedelta

from kinmap.core.rules import Severity, evaluate
from kinmap.core.rules.facts import FACT_SAFEGUARDING_REFERRAL, FACT_YOUNG_PARENT_CARER
from kinmap.core.vocab import BIRTH_MOTHER, DateAccuracy
from tests.core.builders import Family, complete_family

RULE = "R22-young-parent"


def found(f: Family) -> list[tuple[str, Severity, tuple[str, ...], str]]:
    gaps = evaluate(f.network(), f.b.today, process=f.process())
    return [(u.key, u.severity, u.missing, u.detail) for u in gaps if u.rule_id == RULE]


def aged(f: Family, pid: int, years: int, extra_days: int = 0) -> None:
    f.b.update(pid, birth_date=f.b.today - timedelta(days=years * 365 + years // 4 + extra_days))


def test_unsatisfied_for_a_mother_of_17_with_the_words_and_what_is_missing() -> None:
    f = complete_family()
    aged(f, f.sarah, 17, 100)
    assert found(f) == [
        (
            f"{RULE}:person:{f.sarah}",
            Severity.IMPORTANT,
            ("young_parent_carer", "safeguarding_referral"),
            "Sarah Brook was 17 at the birth of Amy Brook: not recorded who cares for them "
            "and whether a safeguarding referral was considered",
        )
    ]


def test_critical_for_a_parent_under_16_at_the_birth() -> None:
    f = complete_family()
    aged(f, f.daniel, 15, 100)
    [(key, severity, _, detail)] = found(f)
    assert key == f"{RULE}:person:{f.daniel}" and severity is Severity.CRITICAL
    assert detail.startswith("Daniel Carter was 15 at the birth")


def test_satisfied_only_by_both_answers() -> None:
    f = complete_family()
    aged(f, f.sarah, 16, 100)
    f.b.fact(f.sarah, FACT_YOUNG_PARENT_CARER, "lives with her mother, Jean, who cares for her")
    assert [m for _, _, m, _ in found(f)] == [("safeguarding_referral",)]
    f.b.fact(f.sarah, FACT_SAFEGUARDING_REFERRAL, "   ")  # a blank answer answers nothing
    assert [m for _, _, m, _ in found(f)] == [("safeguarding_referral",)]
    f.b.fact(f.sarah, FACT_SAFEGUARDING_REFERRAL, "considered with the named nurse; referral made")
    assert found(f) == []


def test_an_unborn_baby_counts_the_age_on_the_expected_date() -> None:
    f = complete_family()
    f.b.update(f.amy, birth_date=f.b.today + timedelta(days=40), birth_date_accuracy=DateAccuracy.EXPECTED)
    aged(f, f.sarah, 17, 300)  # 17 now and on the expected date
    assert [k for k, *_ in found(f)] == [f"{RULE}:person:{f.sarah}"]
    aged(f, f.sarah, 17, 364 - 20)  # 18 before the baby is due: not a young parent at the birth
    assert found(f) == []


def test_not_applicable_to_adults_unknown_ages_the_dead_and_those_now_18() -> None:
    f = complete_family()
    assert found(f) == []  # Sarah is 27, Daniel 29
    f.b.update(f.sarah, birth_date=None, birth_date_accuracy=DateAccuracy.UNKNOWN)
    assert found(f) == []  # not known to be under 18: asked the adult questions instead
    f = complete_family()
    # Amy is now 2 and her mother was 17 at her birth, but 19 today
    f.b.update(f.amy, birth_date=f.b.today - timedelta(days=2 * 365 + 1))
    aged(f, f.sarah, 19, 100)
    assert found(f) == []
    f = complete_family()
    aged(f, f.sarah, 16)
    f.b.update(f.sarah, death_date=f.b.today - timedelta(days=1))
    assert found(f) == []


def test_one_gap_for_a_young_mother_of_two_with_her_youngest_age() -> None:
    f = complete_family()
    aged(f, f.sarah, 17, 200)
    twin = f.b.baby("Ava", "Brook")
    f.b.relate(f.sarah, BIRTH_MOTHER, twin)
    [(_, _, _, detail)] = found(f)
    assert "at the birth of Amy Brook and Ava Brook" in detail
