# mypy: disable-error-code="func-returns-value"
# (a change is often a tuple of steps: lambda f: (step_one(f), step_two(f)))
"""Checks that keep a family network possible (kinmap.core.validation) and NHS
number validation (kinmap.core.nhs)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from kinmap.core.model import Person, Relationship
from kinmap.core.nhs import is_valid_nhs_number, nhs_number_error, normalise_nhs_number
from kinmap.core.validation import Problem, network_problems, person_problems
from kinmap.core.vocab import BIRTH_FATHER, DateAccuracy
from tests.core.builders import TODAY, Family, complete_family

# -- NHS numbers ------------------------------------------------------------


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", " 4010232137 "])
def test_valid_nhs_numbers(number: str) -> None:
    assert nhs_number_error(number) is None and is_valid_nhs_number(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Enter an NHS number with 10 digits, like 943 476 5919"),
        ("943476591", "Enter an NHS number with 10 digits, like 943 476 5919"),
        ("94347659190", "Enter an NHS number with 10 digits, like 943 476 5919"),
        ("94347659l9", "Enter an NHS number with 10 digits, like 943 476 5919"),
        ("9434765918", "Enter a valid NHS number: the check digit does not match"),
        # the first nine digits give a check digit of 10: no number starting so is valid
        ("0000000060", "Enter a valid NHS number: the check digit does not match"),
    ],
)
def test_invalid_nhs_numbers(number: str, message: str) -> None:
    assert nhs_number_error(number) == message
    assert not is_valid_nhs_number(number)


def test_check_digit_eleven_means_zero() -> None:
    # 1 x 10 + 6 x 2 = 22, a multiple of 11: the check digit is 11, written 0
    assert nhs_number_error("1000000060") is None
    assert nhs_number_error("1000000061") == "Enter a valid NHS number: the check digit does not match"


def test_normalise_strips_spaces_and_hyphens() -> None:
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"


# -- people -----------------------------------------------------------------


def problems_of(p: Person) -> list[tuple[str, str]]:
    return [(x.field, x.message) for x in person_problems(p, TODAY)]


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        pytest.param(
            Person(1), [("given_name", "Enter a name, or say why the name is not known")], id="no-name"
        ),
        pytest.param(
            Person(1, "Amy", nhs_number="123"),
            [("nhs_number", "Enter an NHS number with 10 digits, like 943 476 5919")],
            id="nhs",
        ),
        pytest.param(
            Person(
                1, "Amy", birth_date=TODAY - timedelta(days=40), birth_date_accuracy=DateAccuracy.EXPECTED
            ),
            [
                (
                    "birth_date",
                    "An expected date of birth must not be more than a month ago: "
                    "record the actual date of birth",
                )
            ],
            id="expected-date-long-past",
        ),
        pytest.param(
            Person(1, "Amy", birth_date=TODAY + timedelta(days=1), birth_date_accuracy=DateAccuracy.ACCURATE),
            [
                (
                    "birth_date",
                    "Date of birth must be today or in the past, unless the child is unborn "
                    "(choose 'Expected (unborn)')",
                )
            ],
            id="born-in-future",
        ),
        pytest.param(
            Person(1, "Amy", birth_date_accuracy=DateAccuracy.ESTIMATED),
            [("birth_date", "Enter a date of birth, or choose 'Not known'")],
            id="accuracy-without-date",
        ),
        pytest.param(
            Person(1, "Amy", death_date=TODAY + timedelta(days=1)),
            [("death_date", "Date of death must be today or in the past")],
            id="death-in-future",
        ),
        pytest.param(
            Person(
                1,
                "Amy",
                birth_date=TODAY - timedelta(days=5),
                birth_date_accuracy=DateAccuracy.EXACT,
                death_date=TODAY - timedelta(days=6),
            ),
            [("death_date", "Date of death must be on or after the date of birth")],
            id="death-before-birth",
        ),
        pytest.param(
            # a date of birth recorded as not known cannot contradict the death
            Person(1, "Amy", birth_date=TODAY - timedelta(days=5), death_date=TODAY - timedelta(days=6)),
            [],
            id="death-before-unknown-birth",
        ),
    ],
)
def test_person_problems(person: Person, expected: list[tuple[str, str]]) -> None:
    assert problems_of(person) == expected


@pytest.mark.parametrize(
    "person",
    [
        Person(1, name_absent_reason="baby not yet named"),
        Person(1, "Amy", birth_date=TODAY - timedelta(days=20), birth_date_accuracy=DateAccuracy.EXPECTED),
        Person(1, "Amy", birth_date=TODAY, birth_date_accuracy=DateAccuracy.ACCURATE, death_date=TODAY),
        # a stillbirth before the expected date
        Person(
            1,
            "Amy",
            birth_date=TODAY + timedelta(days=30),
            birth_date_accuracy=DateAccuracy.EXPECTED,
            death_date=TODAY,
        ),
    ],
)
def test_people_without_problems(person: Person) -> None:
    assert problems_of(person) == []


# -- the network ------------------------------------------------------------


def test_a_complete_family_has_no_problems() -> None:
    f = complete_family()
    assert network_problems(f.network(), TODAY) == []


Change = Callable[[Family], object]


def _second_father(f: Family) -> None:
    other = f.b.adult("Lee", "Ward")
    f.b.relate(other, BIRTH_FATHER, f.amy)


def _cycle(f: Family) -> None:
    f.b.relate(f.amy, "ADOPTM", f.sarah)


@pytest.mark.parametrize(
    ("change", "record", "field", "message"),
    [
        pytest.param(
            lambda f: f.b.relate(f.sarah, "FRND", f.sarah),
            "relationship",
            "to",
            "A person cannot be related to themselves",
            id="self",
        ),
        pytest.param(
            _second_father,
            "relationship",
            "type",
            "Amy Brook already has a birth father recorded",
            id="two-fathers",
        ),
        pytest.param(
            lambda f: f.b.update(f.sarah, birth_date=TODAY - timedelta(days=10)),
            "relationship",
            "from",
            "Amy Brook cannot be born before their parent Sarah Brook",
            id="born-before-parent",
        ),
        pytest.param(
            lambda f: (f.b.drop(f.daniel_care), f.b.update(f.daniel, death_date=TODAY - timedelta(days=400))),
            "relationship",
            "from",
            "Amy Brook was born more than 10 months after the death of Daniel Carter, "
            "so he cannot be the birth father",
            id="posthumous-father",
        ),
        pytest.param(
            lambda f: f.b.update(f.sarah, death_date=TODAY - timedelta(days=60)),
            "relationship",
            "from",
            "Amy Brook was born after the death of Sarah Brook",
            id="mother-died-before-birth",
        ),
        pytest.param(
            lambda f: f.b.care(f.amy, f.amy),
            "care",
            "carer",
            "A child cannot be their own carer",
            id="own-carer",
        ),
        pytest.param(
            lambda f: f.b.update(f.daniel, death_date=TODAY - timedelta(days=2)),
            "care",
            "carer",
            "Daniel Carter has died (12 March 2025) and cannot give care after that date",
            id="dead-carer",
        ),
        pytest.param(
            lambda f: f.b.care(f.sarah, f.amy, start=TODAY, end=TODAY - timedelta(days=1)),
            "care",
            "end",
            "The end date must be on or after the start date",
            id="care-dates",
        ),
        pytest.param(
            lambda f: f.b.lives_at(f.sarah, f.flat, start=TODAY, end=TODAY - timedelta(days=1)),
            "residence",
            "end",
            "The date they left must be on or after the date they moved in",
            id="residence-dates",
        ),
        pytest.param(
            lambda f: f.b.lives_at(f.sarah, f.flat, start=TODAY - timedelta(days=30)),
            "residence",
            "start",
            "Sarah Brook already lives at another address at that time: "
            "end that stay first, or change the dates",
            id="two-addresses",
        ),
        pytest.param(
            lambda f: f.b.lives_at(f.sarah, f.home, start=TODAY - timedelta(days=30)),
            "residence",
            "start",
            "Sarah Brook already lives at this address at that time: "
            "end that stay first, or change the dates",
            id="same-address-twice",
        ),
        pytest.param(
            lambda f: f.b.relationships.append(Relationship(99, f.sarah, f.amy, "AUNT")),
            "relationship",
            "type",
            "Choose a relationship type from the list ('AUNT' is not one)",
            id="unknown-type",
        ),
    ],
)
def test_network_problems(change: Change, record: str, field: str, message: str) -> None:
    f = complete_family()
    change(f)
    problems = network_problems(f.network(), TODAY)
    assert [(p.record, p.field, p.message) for p in problems] == [(record, field, message)]


def test_a_cycle_is_reported_once_on_the_link_that_closes_it() -> None:
    f = complete_family()
    _cycle(f)
    problems = network_problems(f.network(), TODAY)
    cycle_link = f.b.relationships[-1].id
    assert [(p.record, p.record_id, p.field, p.message) for p in problems] == [
        ("relationship", cycle_link, "to", "A person cannot be their own parent or ancestor")
    ]


def test_moving_house_is_not_two_addresses_at_once() -> None:
    f = complete_family()
    f.b.residences = [r for r in f.b.residences if r.person_id != f.sarah]
    f.b.lives_at(f.sarah, f.flat, end=TODAY - timedelta(days=30))
    f.b.lives_at(f.sarah, f.home, start=TODAY - timedelta(days=30))
    assert network_problems(f.network(), TODAY) == []


def test_a_posthumous_birth_within_ten_months_is_possible() -> None:
    f = complete_family()
    f.b.drop(f.daniel_care)
    f.b.update(f.daniel, death_date=TODAY - timedelta(days=56 + 200))
    assert network_problems(f.network(), TODAY) == []


def test_problems_come_in_a_stable_order() -> None:
    f = complete_family()
    f.b.update(f.sarah, nhs_number="1")
    _second_father(f)
    first = network_problems(f.network(), TODAY)
    assert first == network_problems(f.network(), TODAY)
    assert [p.record for p in first] == ["person", "relationship"]
    assert all(isinstance(p, Problem) for p in first)


OUT_OF_RANGE = "must be between 1 January 1900 and 31 December 2200"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)])
def test_a_date_outside_the_record_is_refused_without_arithmetic_on_it(day: date) -> None:
    """The range the pages take (kinmap/core/limits.py), for every channel; the
    other checks do not compute with a date already refused (no OverflowError)."""
    f = complete_family()
    f.b.drop(f.daniel_care)
    f.b.update(f.daniel, death_date=day)
    problems = network_problems(f.network(), TODAY)
    assert ("person", "death_date", f"Date of death {OUT_OF_RANGE}") in [
        (p.record, p.field, p.message) for p in problems
    ]
    f = complete_family()
    f.b.update(f.sarah, birth_date=day)
    assert ("person", "birth_date", f"Date of birth {OUT_OF_RANGE}") in [
        (p.record, p.field, p.message) for p in network_problems(f.network(), TODAY)
    ]


def test_dates_of_relationships_care_and_stays_have_the_same_range() -> None:
    f = complete_family()
    f.b.relationships[0] = dataclasses.replace(f.b.relationships[0], start=date(1850, 1, 1))
    problems = network_problems(f.network(), TODAY)
    assert [(p.record, p.field, p.message) for p in problems] == [
        ("relationship", "start", f"The start date {OUT_OF_RANGE}")
    ]
