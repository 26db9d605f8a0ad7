"""Progress of background work in words (kinmap/core/progress.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kinmap.core import progress


def test_time_left_in_words() -> None:
    assert progress.time_left_words(None) == "working out how long it will take"
    assert progress.time_left_words(0) == "less than a minute left"
    assert progress.time_left_words(59.9) == "less than a minute left"
    assert progress.time_left_words(60) == "about 1 minute left"
    assert progress.time_left_words(61) == "about 2 minutes left"
    assert progress.time_left_words(240) == "about 4 minutes left"
    assert progress.time_left_words(3600) == "about 1 hour left"
    assert progress.time_left_words(2 * 3600 + 5 * 60) == "about 2 hours 5 minutes left"


def test_seconds_left_at_the_rate_so_far() -> None:
    assert progress.seconds_left(12_000, 100_000, 30) == 220.0
    assert progress.seconds_left(0, 100, 30) is None
    assert progress.seconds_left(5, 100, 0) is None
    assert progress.seconds_left(100, 100, 30) == 0.0
    assert progress.progress_words(12_000, 100_000) == "12,000 of 100,000 families"


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.floats(0.001, 10**6))
def test_percent_and_time_left_stay_in_range(done: int, total: int, elapsed: float) -> None:
    assert 0 <= progress.percent(done, total) <= 100
    left = progress.seconds_left(done, total, elapsed)
    assert left is None or left >= 0
    if 0 < done < total:
        # more done in the same time leaves no more time
        more = progress.seconds_left(done + 1, total, elapsed)
        assert more is not None and left is not None and more <= left
