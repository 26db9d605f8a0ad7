"""A family's chronology from the versions of its records: pure, no Django.

Every record keeps two times (bitemporal): when a thing was true or happened
(valid time: a date of birth, a move-in date, the start of a care
arrangement) and when it was recorded and by whom (record time: each saved
version of the record). One version of a record says that some things
happened (:class:`Happening`); comparing each version with the one before
gives the chronology's lines: a thing first said in a version is a new line
recorded then; a thing a later version says differently (a corrected date of
birth) gives a second line, and both lines stay, each with its own record
time, the first marked as corrected and the second saying what it corrects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime


@dataclass(frozen=True)
class Happening:
    """What one version of a record says happened, under a key that is the
    same from version to version ("birth", "start", "end", "value")."""

    key: str
    kind: str  # a chronology kind code (kinmap.chronology.kinds)
    on: date | None  # when it happened; None: known only from when it was recorded
    words: str  # in plain words: "Alfie Renshaw was born"
    people: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Version:
    """One saved version of a record: when and by whom it was recorded, and
    what it says. ``removed``: the version that deleted the record."""

    at: datetime
    by: str
    happenings: tuple[Happening, ...] = ()
    removed: bool = False
    reason: str = ""  # why it was removed, if given
    removed_words: str = ""  # the line for the removal: "Relationship removed: ..."
    removed_kind: str = ""


@dataclass(frozen=True)
class Line:
    """One line of the chronology."""

    on: date  # when it happened or, when that is not known, the day it was recorded
    dated: bool  # whether ``on`` is when it happened (valid time)
    kind: str
    words: str
    people: frozenset[int]
    recorded_at: datetime
    recorded_by: str
    corrects: str = ""  # what this line changed: "was: <words> (recorded 3 March 2026 by midwife)"
    later: str = ""  # what happened to it later: "corrected on 5 March 2026 by hv"


def lines_of_record(versions: Sequence[Version], day: Callable[[datetime], date]) -> list[Line]:
    """The lines one record contributes, from its versions in the order they
    were recorded. ``day`` turns a record time into the local calendar day.

    A happening keeps its line while later versions say the same (same date
    and words); a version that says it differently gives a new line that
    ``corrects`` the old, and the old is marked ``later``; a happening a later
    version no longer says is marked ``later`` as withdrawn; a removal marks
    every open line and adds a line of its own (when ``removed_words``)."""
    open_lines: dict[str, Line] = {}
    done: list[Line] = []
    for v in versions:
        when = f"{_words_day(day(v.at))} by {v.by or 'the system'}"
        if v.removed:
            why = f": {v.reason}" if v.reason else ""
            done.extend(replace(x, later=f"removed on {when}{why}") for x in open_lines.values())
            open_lines = {}
            if v.removed_words:
                done.append(
                    Line(
                        day(v.at),
                        False,
                        v.removed_kind,
                        v.removed_words + why,
                        frozenset().union(*(h.people for h in v.happenings)) if v.happenings else frozenset(),
                        v.at,
                        v.by,
                    )
                )
            continue
        now = {h.key: h for h in v.happenings}
        for key, gone in list(open_lines.items()):
            if key not in now:
                done.append(replace(gone, later=f"no longer recorded from {when}"))
                del open_lines[key]
        for key, h in now.items():
            old = open_lines.get(key)
            if old is not None and old.words == h.words and (old.on if old.dated else None) == h.on:
                continue
            corrects = ""
            if old is not None:
                done.append(replace(old, later=f"corrected on {when}"))
                corrects = f"was: {old.words} ({_on_words(old)}, recorded {_recorded_words(old, day)})"
            open_lines[key] = Line(
                h.on if h.on is not None else day(v.at),
                h.on is not None,
                h.kind,
                h.words,
                h.people,
                v.at,
                v.by,
                corrects=corrects,
            )
    return [*done, *open_lines.values()]


def chronology_order(lines: Iterable[Line]) -> list[Line]:
    """Lines in date order: by the day it happened, then when it was recorded."""
    return sorted(lines, key=lambda x: (x.on, x.recorded_at, x.kind, x.words))


def _words_day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _on_words(x: Line) -> str:
    return _words_day(x.on) if x.dated else "date not recorded"


def _recorded_words(x: Line, day: Callable[[datetime], date]) -> str:
    return f"{_words_day(day(x.recorded_at))} by {x.recorded_by or 'the system'}"


def line_filter(lines: Iterable[Line], *, person: int | None = None, kind: str = "") -> list[Line]:
    """The lines about ``person`` (None: everyone) of ``kind`` ("": every kind)."""
    return [x for x in lines if (person is None or person in x.people) and (not kind or x.kind == kind)]
