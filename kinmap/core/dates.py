"""Dates as people know them: a day with how well it is known. Plain Python.

A family's dates are often told, not documented: "she moved in around March
2019", "he died some time before 2020", "they were together between 2015 and
2017". :class:`KnownDate` keeps the day as recorded with its accuracy
(``kinmap.core.vocab.DateAccuracy``) and, for "between", a second bound, and
gives the earliest and latest day it can be, so checks refuse only what is
impossible under every reading of the dates (``kinmap.core.validation``).

How each accuracy reads the recorded day ``on`` (earliest .. latest, inclusive):

- exact: ``on`` .. ``on``
- month: the first .. last day of ``on``'s month
- year: 1 January .. 31 December of ``on``'s year
- about: ``on`` minus .. plus :data:`ABOUT_TOLERANCE_YEARS` (same day and month)
- before: any day up to the day before ``on``
- after: any day from the day after ``on``
- between: ``on`` .. ``latest`` (the second bound)
- unknown (or no day): any day
- expected (an unborn child's expected date of delivery):
  ``on`` - :data:`EXPECTED_EARLIEST_BEFORE` .. ``on`` + :data:`EXPECTED_LATEST_AFTER`

"Any day" is bounded by :data:`kinmap.core.limits.EARLIEST_DATE` and
:data:`kinmap.core.limits.LATEST_DATE`, the dates the record accepts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .limits import EARLIEST_DATE, LATEST_DATE
from .vocab import DateAccuracy

# "About" has no tolerance in FHIR, HL7 v2 or GEDCOM (ABT): kinmap's decision
# (issue 10) is plus or minus one year, which covers the usual "about 2019" or
# "she'd have been about 30" and the habit of remembering a year out.
ABOUT_TOLERANCE_YEARS = 1

# A baby can arrive up to six weeks after the expected date (42 weeks of
# pregnancy) and, alive, from about 22 weeks (18 weeks before a 40-week
# expected date): NHS "Premature labour and birth"; NICE NG25.
EXPECTED_LATEST_AFTER = timedelta(days=42)
EXPECTED_EARLIEST_BEFORE = timedelta(weeks=18)

_SPAN_NOT_VALID = frozenset({DateAccuracy.EXPECTED})


def _shift_years(day: date, years: int) -> date:
    """``day`` moved by whole ``years`` (29 February becomes 28 February), kept
    within Python's years 1 to 9999."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def _plus(day: date, delta: timedelta) -> date:
    """``day + delta`` kept within Python's dates."""
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


#: The months' names, as ``strftime``'s ``%B`` writes them in the C locale
#: (kinmap never sets ``LC_TIME``), and their first three letters (``%b``).
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_year(day: date) -> str:
    """ "March 2019": ``f"{day:%B %Y}"``, without ``strftime`` (which reads
    the locale's tables for every call, some fifty a family page)."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def day_month_year(day: date) -> str:
    """ "4 March 2019": ``f"{day.day} {day:%B %Y}"`` (see :func:`month_year`)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_month(day: date) -> str:
    """ "Mar": ``f"{day:%b}"`` (see :func:`month_year`)."""
    return MONTHS[day.month - 1][:3]


@dataclass(frozen=True)
class KnownDate:
    """A date as known: ``on`` (the day recorded, None when not known), its
    ``accuracy`` and, for ``between``, ``latest`` (the last day it can be).

    For month accuracy only ``on``'s month and year count; for year only its
    year. Days outside the accepted range are read as given (validation
    reports them); only the open ends (before, after, not known) stop at the
    accepted range."""

    on: date | None
    accuracy: DateAccuracy = DateAccuracy.EXACT
    latest: date | None = None

    @property
    def known(self) -> bool:
        """Is there a day recorded with an accuracy that uses it?"""
        return self.on is not None and self.accuracy is not DateAccuracy.UNKNOWN

    def earliest(self) -> date:
        """The earliest day this date can be (a ``date``)."""
        on, acc = self.on, self.accuracy
        if on is None or acc is DateAccuracy.UNKNOWN:
            return EARLIEST_DATE
        if acc is DateAccuracy.MONTH:
            return on.replace(day=1)
        if acc is DateAccuracy.YEAR:
            return on.replace(month=1, day=1)
        if acc is DateAccuracy.ABOUT:
            return _shift_years(on, -ABOUT_TOLERANCE_YEARS)
        if acc is DateAccuracy.BEFORE:
            return min(EARLIEST_DATE, self._latest())
        if acc is DateAccuracy.AFTER:
            return _plus(on, timedelta(days=1))
        if acc is DateAccuracy.EXPECTED:
            return _plus(on, -EXPECTED_EARLIEST_BEFORE)
        if acc is DateAccuracy.BETWEEN and self.latest is not None:
            return min(on, self.latest)
        return on

    def latest_day(self) -> date:
        """The latest day this date can be (a ``date``; never before :meth:`earliest`)."""
        return max(self._latest(), self.earliest())

    def _latest(self) -> date:
        on, acc = self.on, self.accuracy
        if on is None or acc is DateAccuracy.UNKNOWN:
            return LATEST_DATE
        if acc is DateAccuracy.MONTH:
            return on.replace(day=calendar.monthrange(on.year, on.month)[1])
        if acc is DateAccuracy.YEAR:
            return on.replace(month=12, day=31)
        if acc is DateAccuracy.ABOUT:
            return _shift_years(on, ABOUT_TOLERANCE_YEARS)
        if acc is DateAccuracy.BEFORE:
            return _plus(on, timedelta(days=-1))
        if acc is DateAccuracy.AFTER:
            return max(LATEST_DATE, _plus(on, timedelta(days=1)))
        if acc is DateAccuracy.EXPECTED:
            return _plus(on, EXPECTED_LATEST_AFTER)
        if acc is DateAccuracy.BETWEEN and self.latest is not None:
            return max(on, self.latest)
        return on

    def words(self) -> str:
        """The date in words with its accuracy: "4 May 2020", "March 2019",
        "2019", "about March 2019", "before 4 May 2020", "after 2019",
        "between 2018 and 2019", "expected 4 May 2027", "not known"."""
        on, acc = self.on, self.accuracy
        if on is None or acc is DateAccuracy.UNKNOWN:
            return "not known"
        if acc is DateAccuracy.MONTH:
            return month_year(on)
        if acc is DateAccuracy.YEAR:
            return str(on.year)
        if acc is DateAccuracy.ABOUT:
            return f"about {month_year(on)}"
        if acc is DateAccuracy.BEFORE:
            return f"before {day_month_year(on)}"
        if acc is DateAccuracy.AFTER:
            return f"after {day_month_year(on)}"
        if acc is DateAccuracy.EXPECTED:
            return f"expected {day_month_year(on)}"
        if acc is DateAccuracy.BETWEEN and self.latest is not None:
            lo, hi = min(on, self.latest), max(on, self.latest)
            if (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
                return f"between {lo.year} and {hi.year}"
            if lo.day == 1 and hi.day == calendar.monthrange(hi.year, hi.month)[1]:
                return f"between {month_year(lo)} and {month_year(hi)}"
            return f"between {day_month_year(lo)} and {day_month_year(hi)}"
        return day_month_year(on)

    def problem(self, label: str) -> str | None:
        """Why this date cannot be recorded as given, with ``label`` ("Date of
        death") starting the message, else None: a "between" without its second
        date or with the second before the first; a day with "not known"."""
        if self.accuracy is DateAccuracy.BETWEEN:
            if self.on is None or self.latest is None:
                return f"{label}: enter both dates for 'between'"
            if self.latest < self.on:
                return f"{label}: the second date of 'between' must be after the first"
        return None


def could_be_before(a: KnownDate, b: KnownDate) -> bool:
    """Can ``a`` be on or before ``b`` under some reading of both?"""
    return a.earliest() <= b.latest_day()


def must_be_before(a: KnownDate, b: KnownDate) -> bool:
    """Is ``a`` strictly before ``b`` under every reading of both?"""
    return a.latest_day() < b.earliest()


def span_accuracies() -> tuple[DateAccuracy, ...]:
    """The accuracies a start or end date can have (all but "expected")."""
    return tuple(a for a in DateAccuracy if a not in _SPAN_NOT_VALID)
