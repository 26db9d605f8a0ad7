from __future__ import annotations

from datetime import date

import pytest

from kinmap.core.workdays import add_working_days

FRI, SAT, SUN, MON = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (MON, 1, date(2026, 3, 10)),
        (FRI, 1, MON),
        (SAT, 1, MON),
        (SUN, 1, MON),
        (MON, 5, date(2026, 3, 16)),
        (FRI, 5, date(2026, 3, 13)),
        (MON, 10, date(2026, 3, 23)),
        (MON, 0, MON),
    ],
)
def test_add_working_days(start: date, days: int, due: date) -> None:
    assert add_working_days(start, days) == due


def test_holidays_are_skipped() -> None:
    assert add_working_days(FRI, 1, holidays={MON}) == date(2026, 3, 10)


def test_negative_days_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(MON, -1)
