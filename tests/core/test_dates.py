"""Dates as people know them (kinmap.core.dates) and the checks that reason
with their ranges (kinmap.core.validation): refuse only what is impossible
under every reading of the dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kinmap.core.dates import KnownDate, could_be_before
from kinmap.core.limits import EARLIEST_DATE, LATEST_DATE
from kinmap.core.model import CareArrangement, Network, Person, Relationship, Residence
from kinmap.core.validation import network_problems, person_problems
from kinmap.core.vocab import BIRTH_MOTHER, DateAccuracy

A = DateAccuracy
TODAY = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("known", "earliest", "latest", "words"),
    [
        (KnownDate(date(2020, 5, 4)), date(2020, 5, 4), date(2020, 5, 4), "4 May 2020"),
        (KnownDate(date(2019, 3, 1), A.MONTH), date(2019, 3, 1), date(2019, 3, 31), "March 2019"),
        (KnownDate(date(2019, 1, 1), A.YEAR), date(2019, 1, 1), date(2019, 12, 31), "2019"),
        (KnownDate(date(2019, 3, 10), A.ABOUT), date(2018, 3, 10), date(2020, 3, 10), "about March 2019"),
        (KnownDate(date(2020, 5, 4), A.BEFORE), EARLIEST_DATE, date(2020, 5, 3), "before 4 May 2020"),
        (KnownDate(date(2020, 5, 4), A.AFTER), date(2020, 5, 5), LATEST_DATE, "after 4 May 2020"),
        (
            KnownDate(date(2018, 1, 1), A.BETWEEN, date(2019, 12, 31)),
            date(2018, 1, 1),
            date(2019, 12, 31),
            "between 2018 and 2019",
        ),
        (
            KnownDate(date(2018, 3, 1), A.BETWEEN, date(2018, 6, 30)),
            date(2018, 3, 1),
            date(2018, 6, 30),
            "between March 2018 and June 2018",
        ),
        (KnownDate(date(2020, 5, 4), A.UNKNOWN), EARLIEST_DATE, LATEST_DATE, "not known"),
        (KnownDate(None), EARLIEST_DATE, LATEST_DATE, "not known"),
        (
            KnownDate(date(2026, 6, 1), A.EXPECTED),
            date(2026, 6, 1) - timedelta(weeks=18),
            date(2026, 6, 1) + timedelta(days=42),
            "expected 1 June 2026",
        ),
        # 29 February, about: a year either side is 28 February
        (KnownDate(date(2020, 2, 29), A.ABOUT), date(2019, 2, 28), date(2021, 2, 28), "about February 2020"),
    ],
)
def test_range_and_words(known: KnownDate, earliest: date, latest: date, words: str) -> None:
    assert (known.earliest(), known.latest_day(), known.words()) == (earliest, latest, words)


def test_between_needs_both_dates_in_order() -> None:
    assert KnownDate(date(2019, 1, 1), A.BETWEEN).problem("Date of death") == (
        "Date of death: enter both dates for 'between'"
    )
    assert KnownDate(date(2019, 1, 1), A.BETWEEN, date(2018, 1, 1)).problem("Date of death") == (
        "Date of death: the second date of 'between' must be after the first"
    )
    assert KnownDate(date(2019, 1, 1), A.BETWEEN, date(2019, 2, 1)).problem("Date of death") is None


days = st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE)
any_days = st.dates()  # the record refuses days outside its range, but the range never breaks
known_dates = st.builds(
    KnownDate, st.one_of(st.none(), any_days), st.sampled_from(list(A)), st.one_of(st.none(), any_days)
)


@given(known_dates)
def test_earliest_is_never_after_latest(k: KnownDate) -> None:
    assert k.earliest() <= k.latest_day()
    if k.on is None or k.accuracy is A.UNKNOWN:
        assert (k.earliest(), k.latest_day()) == (EARLIEST_DATE, LATEST_DATE)


@given(any_days, st.sampled_from([A.EXACT, A.MONTH, A.YEAR, A.ABOUT, A.EXPECTED]))
def test_a_date_is_within_its_own_range(day: date, accuracy: DateAccuracy) -> None:
    k = KnownDate(day, accuracy)
    assert k.earliest() <= day <= k.latest_day()


@given(days, days)
def test_between_holds_both_bounds(a: date, b: date) -> None:
    lo, hi = min(a, b), max(a, b)
    k = KnownDate(lo, A.BETWEEN, hi)
    assert (k.earliest(), k.latest_day()) == (lo, hi)


# -- validation reasons with the ranges ----------------------------------------------

born = st.dates(min_value=date(1950, 1, 1), max_value=date(2025, 12, 31))
past_accuracies = st.sampled_from([A.EXACT, A.MONTH, A.YEAR, A.ABOUT, A.BEFORE, A.AFTER, A.BETWEEN])


def _known(day: date, accuracy: DateAccuracy, width: int) -> KnownDate:
    return KnownDate(day, accuracy, day + timedelta(days=width) if accuracy is A.BETWEEN else None)


@given(born, past_accuracies, st.integers(0, 400), born, past_accuracies, st.integers(0, 400))
def test_death_before_birth_refused_only_when_impossible(
    b: date, ba: DateAccuracy, bw: int, d: date, da: DateAccuracy, dw: int
) -> None:
    birth, death = _known(b, ba, bw), _known(d, da, dw)
    p = Person(
        1,
        "Amy",
        birth_date=birth.on,
        birth_date_accuracy=birth.accuracy,
        birth_date_latest=birth.latest,
        death_date=death.on,
        death_date_accuracy=death.accuracy,
        death_date_latest=death.latest,
    )
    refused = any("must be on or after" in x.message for x in person_problems(p, LATEST_DATE))
    # refused exactly when no reading puts the death on or after the birth: the
    # most favourable reading is the earliest birth with the latest death
    assert refused == (not could_be_before(birth, death))
    assert refused == (death.latest_day() < birth.earliest())


def test_death_about_a_year_before_birth_is_possible() -> None:
    p = Person(
        1,
        "Amy",
        birth_date=date(2020, 6, 1),
        birth_date_accuracy=A.EXACT,
        death_date=date(2019, 9, 1),
        death_date_accuracy=A.ABOUT,
    )
    assert person_problems(p, TODAY) == []
    exact = Person(
        1, "Amy", birth_date=date(2020, 6, 1), birth_date_accuracy=A.EXACT, death_date=date(2019, 9, 1)
    )
    assert [x.message for x in person_problems(exact, TODAY)] == [
        "Date of death must be on or after the date of birth"
    ]
    before = Person(
        1,
        "Amy",
        birth_date=date(2020, 6, 1),
        birth_date_accuracy=A.YEAR,
        death_date=date(2020, 1, 1),
        death_date_accuracy=A.BEFORE,
    )
    assert [x.message for x in person_problems(before, TODAY)] == [
        "Date of death (before 1 January 2020) must be on or after the date of birth (2020)"
    ]


def test_born_after_today_is_refused_only_when_every_reading_is() -> None:
    year = Person(1, "Amy", birth_date=date(2026, 1, 1), birth_date_accuracy=A.YEAR)
    assert person_problems(year, TODAY) == []  # some day of 2026 up to today
    after = Person(1, "Amy", birth_date=TODAY, birth_date_accuracy=A.AFTER)
    assert [x.message for x in person_problems(after, TODAY)] == [
        "Date of birth (after 15 January 2026) must be today or in the past, unless the child is unborn "
        "(choose 'Expected (unborn)')"
    ]


def _network(people: list[Person], **rest: object) -> Network:
    return Network(1, "N", (people[-1].id,), {p.id: p for p in people}, **rest)  # type: ignore[arg-type]


def test_young_birth_parent_uses_the_range() -> None:
    child = Person(2, "Kid", birth_date=date(2015, 6, 1), birth_date_accuracy=A.EXACT)
    about = Person(1, "Mum", birth_date=date(2006, 1, 1), birth_date_accuracy=A.ABOUT)  # 8 to 10
    exact = Person(1, "Mum", birth_date=date(2006, 1, 1), birth_date_accuracy=A.EXACT)  # 9
    rel = (Relationship(1, 1, 2, BIRTH_MOTHER),)
    assert network_problems(_network([about, child], relationships=rel), TODAY) == []
    young = Person(1, "Mum", birth_date=date(2008, 1, 1), birth_date_accuracy=A.ABOUT)  # at most 8
    assert [p.message for p in network_problems(_network([exact, child], relationships=rel), TODAY)] == [
        "Mum was 9 at the birth of Kid: a birth parent cannot be younger than 10. Check both dates of birth"
    ]
    assert [p.message for p in network_problems(_network([young, child], relationships=rel), TODAY)] == [
        "Mum was at most 8 at the birth of Kid: a birth parent cannot be younger than 10. "
        "Check both dates of birth"
    ]


def test_moving_out_before_moving_in_under_every_reading() -> None:
    amy = Person(1, "Amy")
    possible = Residence(
        1, 1, 1, date(2019, 1, 1), date(2019, 3, 1), start_accuracy=A.YEAR, end_accuracy=A.EXACT
    )
    impossible = Residence(
        1, 1, 1, date(2019, 1, 1), date(2018, 1, 1), start_accuracy=A.YEAR, end_accuracy=A.YEAR
    )
    assert network_problems(_network([amy], residences=(possible,)), TODAY) == []
    assert [p.message for p in network_problems(_network([amy], residences=(impossible,)), TODAY)] == [
        "The date they left must be on or after the date they moved in"
    ]


def test_care_after_an_about_death_is_possible_within_the_year() -> None:
    carer = Person(1, "Gran", death_date=date(2020, 6, 1), death_date_accuracy=A.ABOUT)
    child = Person(2, "Kid")
    within = CareArrangement(1, 1, 2, start=date(2019, 1, 1), end=date(2021, 1, 1))
    beyond = CareArrangement(1, 1, 2, start=date(2019, 1, 1), end=date(2021, 7, 1))
    assert network_problems(_network([carer, child], care=(within,)), TODAY) == []
    assert [p.message for p in network_problems(_network([carer, child], care=(beyond,)), TODAY)] == [
        "Gran has died (about June 2020) and cannot give care after that date"
    ]


def test_between_without_second_date_is_refused() -> None:
    amy = Person(1, "Amy")
    rel = Relationship(1, 1, 2, "FRND", date(2019, 1, 1), start_accuracy=A.BETWEEN)
    problems = network_problems(_network([amy, Person(2, "Bo")], relationships=(rel,)), TODAY)
    assert [(p.field, p.message) for p in problems] == [
        ("start", "The start date: enter both dates for 'between'")
    ]


def test_month_words_are_strftimes_for_every_month() -> None:
    """month_year, day_month_year and short_month write what strftime's %B,
    %Y and %b write (the C locale kinmap runs in), without calling it."""
    from kinmap.core.dates import day_month_year, month_year, short_month

    for year in (EARLIEST_DATE.year, 1999, 2026, LATEST_DATE.year):
        for month in range(1, 13):
            for day in (1, 9, 28):
                d = date(year, month, day)
                assert month_year(d) == f"{d:%B %Y}"
                assert day_month_year(d) == f"{d.day} {d:%B %Y}"
                assert short_month(d) == f"{d:%b}"
    assert month_year(date(2019, 3, 4)) == "March 2019"
    assert day_month_year(date(2026, 3, 4)) == "4 March 2026"
