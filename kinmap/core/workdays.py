"""Working days, for the due dates of information requests. Plain Python."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def is_working_day(d: date, holidays: Collection[date] = ()) -> bool:
    return d.weekday() < 5 and d not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (Monday to Friday, less
    any ``holidays``). A request made on a Friday with one working day to
    answer is due on Monday; one made on a Saturday is due on Monday too."""
    if days < 0:
        raise ValueError("days must not be negative")
    d = start
    left = days
    while left > 0:
        d += timedelta(days=1)
        if is_working_day(d, holidays):
            left -= 1
    return d
