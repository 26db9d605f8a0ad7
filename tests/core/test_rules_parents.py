# mypy: disable-error-code="func-returns-value"
# (a change is often a tuple of steps: lambda f: (step_one(f), step_two(f)))
"""Requirements 1 to 5: birth parents, living arrangements, parental
responsibility and partners. Each case starts from a family with nothing
missing and changes one thing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from kinmap.core.model import Provenance
from kinmap.core.rules import Severity, evaluate
from kinmap.core.rules.facts import (
    FACT_BIRTH_FATHER_ABSENT,
    FACT_BIRTH_MOTHER_ABSENT,
    FACT_CONTACT_ARRANGEMENT,
    FACT_CURRENT_PARTNER,
)
from kinmap.core.vocab import BIRTH_MOTHER, PRBasis, Source
from tests.core.builders import Family, complete_family

Change = Callable[[Family], None]
CRIT, IMP = Severity.CRITICAL, Severity.IMPORTANT


def found(f: Family, rule_id: str) -> list[tuple[str, Severity, tuple[str, ...]]]:
    """The gaps of one rule, as (key, severity, missing)."""
    return [
        (u.key, u.severity, u.missing)
        for u in evaluate(f.network(), f.b.today, process=f.process())
        if u.rule_id == rule_id
    ]


def details(f: Family, rule_id: str) -> list[str]:
    return [u.detail for u in evaluate(f.network(), f.b.today, process=f.process()) if u.rule_id == rule_id]


def older(f: Family) -> None:
    """Amy is three, not a baby."""
    f.b.update(f.amy, birth_date=f.b.today - timedelta(days=3 * 365))


def remove_birth_mother(f: Family) -> None:
    f.b.relationships = [r for r in f.b.relationships if r.type != BIRTH_MOTHER]


def remove_birth_father(f: Family) -> None:
    f.b.drop(f.daniel_rel)


def deceased_child(f: Family) -> None:
    f.b.update(f.amy, death_date=f.b.today - timedelta(days=3))


# -- 1: birth mother --------------------------------------------------------


def test_r01_satisfied_by_a_mother_with_every_detail_or_a_signed_reason() -> None:
    f = complete_family()
    assert found(f, "R01-birth-mother") == []
    remove_birth_mother(f)
    f.b.fact(f.amy, FACT_BIRTH_MOTHER_ABSENT, "adopted: birth family not recorded here")
    assert found(f, "R01-birth-mother") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda f: f.b.update(f.sarah, birth_date=None, phone="", email=""),
            ("R01-birth-mother:person:{sarah}", CRIT, ("birth_date", "contact")),
            id="details-missing",
        ),
        pytest.param(
            lambda f: f.b.residences.pop(1),
            ("R01-birth-mother:person:{sarah}", CRIT, ("address",)),
            id="no-address",
        ),
        pytest.param(
            remove_birth_mother, ("R01-birth-mother:child:{amy}", CRIT, ("birth_mother",)), id="no-mother"
        ),
        pytest.param(
            lambda f: (remove_birth_mother(f), f.b.fact(f.amy, FACT_BIRTH_MOTHER_ABSENT, "adopted", None)),
            ("R01-birth-mother:child:{amy}", CRIT, ("recorded_by", "recorded_at")),
            id="reason-unsigned",
        ),
        pytest.param(
            lambda f: (older(f), f.b.update(f.sarah, family_name="")),
            ("R01-birth-mother:person:{sarah}", IMP, ("name",)),
            id="older-child-is-important",
        ),
    ],
)
def test_r01_unsatisfied(change: Change, expected: tuple[str, Severity, tuple[str, ...]]) -> None:
    f = complete_family()
    change(f)
    key, severity, missing = expected
    assert found(f, "R01-birth-mother") == [(key.format(sarah=f.sarah, amy=f.amy), severity, missing)]


def test_r01_detail_names_what_is_missing_and_for_whom() -> None:
    f = complete_family()
    f.b.update(f.sarah, birth_date=None)
    assert details(f, "R01-birth-mother") == ["Date of birth not recorded for Sarah Brook"]
    f.b.update(f.sarah, given_name="", family_name="", name_absent_reason="not given")
    assert details(f, "R01-birth-mother") == [
        "Full name and date of birth not recorded for the birth mother of Amy Brook"
    ]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(deceased_child, id="child-has-died"),
        pytest.param(
            lambda f: (f.b.update(f.sarah, birth_date=None), f.b.outside(f.sarah)), id="mother-outside"
        ),
        pytest.param(
            lambda f: f.b.update(f.sarah, death_date=f.b.today, phone="", email="", birth_date=None),
            id="mother-has-died-only-name-asked",
        ),
    ],
)
def test_r01_not_applicable(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R01-birth-mother") == []


# -- 2: birth father --------------------------------------------------------


def test_r02_satisfied_by_a_father_with_every_detail_or_a_signed_reason() -> None:
    f = complete_family()
    assert found(f, "R02-birth-father") == []
    remove_birth_father(f)
    f.b.drop(f.daniel_care)
    f.b.fact(f.amy, FACT_BIRTH_FATHER_ABSENT, "mother does not know who the father is")
    assert found(f, "R02-birth-father") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            remove_birth_father, ("R02-birth-father:child:{amy}", CRIT, ("birth_father",)), id="no-father"
        ),
        pytest.param(
            lambda f: (
                remove_birth_father(f),
                f.b.fact(
                    f.amy,
                    FACT_BIRTH_FATHER_ABSENT,
                    "not known",
                    Provenance(Source.SAID_BY, "mother", "", datetime(2025, 3, 1, 9, 0)),
                ),
            ),
            ("R02-birth-father:child:{amy}", CRIT, ("recorded_by",)),
            id="reason-without-author",
        ),
        pytest.param(
            lambda f: f.b.update(f.daniel, given_name="", family_name="", name_absent_reason="not given"),
            ("R02-birth-father:person:{daniel}", CRIT, ("name",)),
            id="father-unnamed",
        ),
        pytest.param(
            lambda f: f.b.drop(f.daniel_home),
            ("R02-birth-father:person:{daniel}", CRIT, ("address",)),
            id="no-address",
        ),
        pytest.param(
            lambda f: (older(f), f.b.update(f.daniel, phone="")),
            ("R02-birth-father:person:{daniel}", IMP, ("contact",)),
            id="older-child-is-important",
        ),
    ],
)
def test_r02_unsatisfied(change: Change, expected: tuple[str, Severity, tuple[str, ...]]) -> None:
    f = complete_family()
    change(f)
    key, severity, missing = expected
    assert found(f, "R02-birth-father") == [(key.format(daniel=f.daniel, amy=f.amy), severity, missing)]


def test_r02_father_of_an_older_child_who_has_a_baby_overnight_is_critical() -> None:
    f = complete_family()
    older(f)
    baby = f.b.baby("Leo", "Carter", index=True)
    f.b.care(f.daniel, baby, overnight=True)
    f.b.update(f.daniel, phone="")
    assert (f"R02-birth-father:person:{f.daniel}", CRIT, ("contact",)) in found(f, "R02-birth-father")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(deceased_child, id="child-has-died"),
        pytest.param(
            lambda f: (
                f.b.drop(f.daniel_care),
                f.b.update(f.daniel, death_date=f.b.today - timedelta(days=20), phone="", birth_date=None),
            ),
            id="father-has-died-only-name-asked",
        ),
    ],
)
def test_r02_not_applicable(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R02-birth-father") == []


# -- 3: living arrangements -------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda f: None, id="lives-with-or-cares"),
        pytest.param(
            lambda f: (f.b.drop(f.daniel_care), f.b.fact(f.daniel, FACT_CONTACT_ARRANGEMENT, "no contact")),
            id="contact-in-words",
        ),
    ],
)
def test_r03_satisfied(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R03-living-arrangements") == []


@pytest.mark.parametrize(
    ("change", "severity"),
    [
        pytest.param(lambda f: f.b.drop(f.daniel_care), CRIT, id="baby"),
        pytest.param(lambda f: (f.b.drop(f.daniel_care), older(f)), IMP, id="older-child"),
    ],
)
def test_r03_unsatisfied(change: Change, severity: Severity) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R03-living-arrangements") == [
        (f"R03-living-arrangements:person:{f.daniel}", severity, ("contact_arrangement",))
    ]
    assert details(f, "R03-living-arrangements") == [
        "Not recorded whether Daniel Carter lives with Amy Brook, or, if not, what contact and care they have"
    ]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda f: (f.b.drop(f.daniel_care), f.b.update(f.daniel, death_date=f.b.today)),
            id="parent-has-died",
        ),
        pytest.param(lambda f: (f.b.drop(f.daniel_care), f.b.outside(f.daniel)), id="parent-outside-network"),
        pytest.param(lambda f: (f.b.drop(f.daniel_care), deceased_child(f)), id="child-has-died"),
    ],
)
def test_r03_not_applicable(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R03-living-arrangements") == []


# -- 4: parental responsibility ---------------------------------------------


def add_live_in_partner(f: Family, code: str = "DOMPART", at_home: bool = True) -> int:
    tom = f.b.adult("Tom", "Hale", age=31)
    f.b.relate(f.sarah, code, tom)
    f.b.lives_at(tom, f.home if at_home else f.flat)
    f.b.forget_fact(f.sarah, FACT_CURRENT_PARTNER)
    return tom


def test_r04_satisfied_including_a_recorded_no_responsibility() -> None:
    f = complete_family()
    assert found(f, "R04-parental-responsibility") == []
    tom = add_live_in_partner(f)
    f.b.pr(tom, f.amy, PRBasis.NONE)
    assert found(f, "R04-parental-responsibility") == []


@pytest.mark.parametrize(
    ("change", "who"),
    [
        pytest.param(
            lambda f: setattr(
                f.b, "responsibilities", [p for p in f.b.responsibilities if p.person_id != f.daniel]
            ),
            "daniel",
            id="father-not-recorded",
        ),
        pytest.param(
            lambda f: (
                setattr(
                    f.b, "responsibilities", [p for p in f.b.responsibilities if p.person_id != f.daniel]
                ),
                f.b.pr(f.daniel, f.amy, PRBasis.UNKNOWN),
            ),
            "daniel",
            id="basis-not-known",
        ),
        pytest.param(lambda f: setattr(f, "tom", add_live_in_partner(f)), "tom", id="live-in-partner"),
    ],
)
def test_r04_unsatisfied(change: Change, who: str) -> None:
    f = complete_family()
    change(f)
    pid = getattr(f, who)
    assert found(f, "R04-parental-responsibility") == [
        (f"R04-parental-responsibility:person:{pid}:{f.amy}", IMP, ("parental_responsibility",))
    ]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda f: add_live_in_partner(f, "SIGOTHR", at_home=False), id="partner-living-elsewhere"
        ),
        pytest.param(lambda f: add_live_in_partner(f, "x-former-partner"), id="former-partner-at-home"),
    ],
)
def test_r04_not_applicable(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R04-parental-responsibility") == []


# -- 5: current partner -----------------------------------------------------


def test_r05_satisfied_by_a_partner_relationship_or_none() -> None:
    f = complete_family()
    assert found(f, "R05-current-partner") == []  # both recorded "none"
    add_live_in_partner(f, "SIGOTHR", at_home=False)  # replaces Sarah's "none"
    assert found(f, "R05-current-partner") == []


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        pytest.param(
            lambda f: f.b.forget_fact(f.daniel, FACT_CURRENT_PARTNER),
            "Not recorded whether Daniel Carter has a current partner",
            id="not-asked",
        ),
        pytest.param(
            lambda f: f.b.fact(f.daniel, FACT_CURRENT_PARTNER, "has a girlfriend"),
            "A current partner of Daniel Carter is mentioned but not recorded as a person",
            id="partner-only-in-words",
        ),
        pytest.param(
            lambda f: (
                f.b.forget_fact(f.daniel, FACT_CURRENT_PARTNER),
                f.b.relate(f.daniel, "SIGOTHR", f.sarah, end=f.b.today),
            ),
            "Not recorded whether Daniel Carter has a current partner",
            id="relationship-ended",
        ),
    ],
)
def test_r05_unsatisfied(change: Change, detail: str) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R05-current-partner") == [
        (f"R05-current-partner:person:{f.daniel}", CRIT, ("current_partner",))
    ]
    assert details(f, "R05-current-partner") == [detail]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda f: f.b.adult("Jean", "Brook", age=55, complete=False), id="grandparent-is-not-asked"
        ),
        pytest.param(
            lambda f: (
                f.b.forget_fact(f.daniel, FACT_CURRENT_PARTNER),
                f.b.update(f.daniel, death_date=f.b.today),
                f.b.drop(f.daniel_care),
            ),
            id="parent-has-died",
        ),
    ],
)
def test_r05_not_applicable(change: Change) -> None:
    f = complete_family()
    change(f)
    assert found(f, "R05-current-partner") == []
