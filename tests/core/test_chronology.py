"""The chronology's comparison of a record's versions (kinmap.core.chronology)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kinmap.core.chronology import Happening, Line, Version, chronology_order, line_filter, lines_of_record

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def day(at: datetime) -> date:
    return at.date()


def birth(on: date | None, words: str = "Alfie was born") -> Happening:
    return Happening("birth", "births-deaths", on, words, frozenset({1}))


def test_a_corrected_date_gives_two_lines_each_with_its_record_time() -> None:
    first = Version(T0, "midwife", (birth(date(2025, 11, 10)),))
    second = Version(T0 + timedelta(days=3), "hv", (birth(date(2025, 11, 8)),))
    old, new = lines_of_record([first, second], day)
    assert (old.on, old.recorded_by, old.recorded_at) == (date(2025, 11, 10), "midwife", T0)
    assert old.later == "corrected on 4 January 2026 by hv"
    assert (new.on, new.recorded_by) == (date(2025, 11, 8), "hv")
    assert new.corrects == "was: Alfie was born (10 November 2025, recorded 1 January 2026 by midwife)"


def test_a_version_that_says_the_same_adds_no_line() -> None:
    same = (birth(date(2025, 11, 10)),)
    lines = lines_of_record([Version(T0, "a", same), Version(T0 + timedelta(hours=1), "b", same)], day)
    assert [(x.recorded_by, x.later) for x in lines] == [("a", "")]


def test_an_undated_happening_is_on_the_day_it_was_recorded() -> None:
    (line,) = lines_of_record([Version(T0, "a", (birth(None, "Name recorded: Alfie"),))], day)
    assert line.on == date(2026, 1, 1) and not line.dated


def test_a_removal_closes_every_line_and_adds_its_own_with_the_reason() -> None:
    v1 = Version(T0, "a", (birth(date(2025, 1, 1)),))
    gone = Version(
        T0 + timedelta(days=1),
        "b",
        v1.happenings,
        removed=True,
        reason="wrong baby",
        removed_words="Removed",
        removed_kind="people",
    )
    old, removal = lines_of_record([v1, gone], day)
    assert old.later == "removed on 2 January 2026 by b: wrong baby"
    assert (removal.words, removal.kind, removal.people) == ("Removed: wrong baby", "people", frozenset({1}))


def test_a_happening_no_longer_said_is_marked_withdrawn() -> None:
    v1 = Version(T0, "a", (birth(date(2025, 1, 1)),))
    (line,) = lines_of_record([v1, Version(T0 + timedelta(days=1), "b", ())], day)
    assert line.later == "no longer recorded from 2 January 2026 by b"


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1))
versions = st.lists(st.one_of(st.none(), days), min_size=1, max_size=8)


@given(versions)
def test_every_change_of_value_is_one_line_and_only_the_last_is_still_current(ons: list[date | None]) -> None:
    vs = [Version(T0 + timedelta(hours=i), f"u{i}", (birth(on),)) for i, on in enumerate(ons)]
    lines = lines_of_record(vs, day)
    changes = 1 + sum(1 for a, b in itertools.pairwise(ons) if a != b)
    assert len(lines) == changes
    current = [x for x in lines if not x.later]
    assert len(current) == 1 and (current[0].on if current[0].dated else None) == ons[-1]
    assert all(x.corrects for x in lines[1:]) and not lines[0].corrects
    assert [x.recorded_at for x in lines] == sorted(x.recorded_at for x in lines)


def test_order_and_filter() -> None:
    a = Line(date(2026, 1, 2), True, "care", "b", frozenset({1}), T0, "x")
    b = Line(date(2026, 1, 1), True, "moves", "a", frozenset({2}), T0 + timedelta(days=5), "y")
    assert chronology_order([a, b]) == [b, a]
    assert line_filter([a, b], person=1) == [a]
    assert line_filter([a, b], kind="moves") == [b]
    assert line_filter([a, b]) == [a, b]
