"""What the genogram layout produces: positioned symbols and lines as plain data.

Coordinates are SVG user units (pixels at 100 %), with x growing to the right
and y growing downwards; ``(x, y)`` of a symbol is its centre. Every line is a
polyline of points. Nothing here knows about HTML, SVG or Django: the SVG
writer (:mod:`kinmap.core.genogram.svg`) draws a :class:`Genogram`, and the
layout tests check its invariants on these objects.

The symbols and lines follow the standard genogram conventions (McGoldrick,
Gerson and Petry, *Genograms: Assessment and Treatment*, 4th edition, 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

Point = tuple[float, float]

# Sizes, in SVG user units.
SYMBOL = 40.0  # the side of a square, the diameter of a circle
UNBORN_SYMBOL = 24.0  # the side of the small triangle of an unborn child
PARTNER_SPACING = 130.0  # centre to centre, partners side by side
SPACING = 140.0  # centre to centre, neighbours who are not partners
ROW_HEIGHT = 170.0  # centre to centre, one generation to the next
LABEL_WIDTH = 118.0  # the widest a name label may be drawn (see svg.py)
LABEL_DEPTH = 66.0  # from a symbol's centre to below its labels (two name lines and the dates)
MARGIN = 80.0


class Shape(StrEnum):
    SQUARE = "square"  # male
    CIRCLE = "circle"  # female
    DIAMOND = "diamond"  # another or unknown sex
    TRIANGLE = "triangle"  # unborn


class Line(StrEnum):
    SOLID = "solid"
    DASHED = "dashed"
    DOTTED = "dotted"
    DASH_DOT = "dash-dot"


class Descent(StrEnum):
    """How a child is linked to a parent."""

    BIRTH = "birth"
    ADOPTIVE = "adoptive"
    FOSTER = "foster"
    STEP = "step"
    LEGAL = "legal"  # a legal parent who is not a birth parent (PRN)


@dataclass(frozen=True)
class Symbol:
    """One person, drawn once. ``label`` is the name (or the role of someone
    known only by their role); ``dates`` is "b. 1994", "d. 2021", "due 3 May 2026"."""

    person_id: int
    x: float
    y: float
    row: int
    shape: Shape
    label: str
    dates: str = ""
    index: bool = False  # an index child: drawn with a double outline
    deceased: bool = False  # drawn with a cross
    unborn: bool = False
    role_only: bool = False  # no name known: drawn with a dashed outline
    due: date | None = None

    @property
    def size(self) -> float:
        return UNBORN_SYMBOL if self.unborn else SYMBOL

    def box(self) -> tuple[float, float, float, float]:
        """The symbol's bounding box: (left, top, right, bottom)."""
        half = self.size / 2
        return (self.x - half, self.y - half, self.x + half, self.y + half)


@dataclass(frozen=True)
class Partnership:
    """A line between two partners. ``slashes`` is 1 for separated, 2 for
    divorced or ended; ``years`` is "2015 to 2021" where known."""

    relationship_ids: tuple[int, ...]
    a: int
    b: int
    line: Line
    slashes: int
    years: str
    words: str  # "married or civil partners, separated"
    points: tuple[Point, ...]
    adjacent: bool  # drawn side by side on the same row
    recorded: bool = True  # False: the parents of a child, no relationship recorded between them


@dataclass(frozen=True)
class ChildLink:
    """A child hanging from its parents' partnership line (or from a single
    parent), or a separate line from an adoptive, foster or step parent."""

    child_id: int
    parent_ids: tuple[int, ...]
    relationship_ids: tuple[int, ...]
    descent: Descent
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Association:
    """Any other relationship (a sibling recorded directly, a grandparent, a
    friend, a visitor): a labelled grey curve through ``points`` (start,
    control point, end of a quadratic curve)."""

    relationship_id: int
    a: int
    b: int
    words: str
    points: tuple[Point, Point, Point]


@dataclass(frozen=True)
class HouseholdOutline:
    """The people who live together now, outlined with dotted boxes (one per
    row and run of neighbours) joined by dotted connectors."""

    household_id: int
    person_ids: tuple[int, ...]
    boxes: tuple[tuple[float, float, float, float], ...]  # (left, top, width, height)
    connectors: tuple[tuple[Point, Point], ...]


@dataclass(frozen=True)
class CareArrow:
    """A carer who looks after a child away from the child's home (an arrow
    from the carer to the child: ``points`` as for :class:`Association`)."""

    care_id: int
    carer_id: int
    child_id: int
    overnight: bool
    words: str  # "overnight, Friday nights"
    points: tuple[Point, Point, Point]


@dataclass(frozen=True)
class Genogram:
    """A laid-out genogram. ``width`` and ``height`` cover every symbol, label
    and line with a margin."""

    symbols: tuple[Symbol, ...]
    partnerships: tuple[Partnership, ...]
    children: tuple[ChildLink, ...]
    associations: tuple[Association, ...]
    households: tuple[HouseholdOutline, ...]
    care: tuple[CareArrow, ...]
    width: float
    height: float
    rows: int

    def symbol(self, person_id: int) -> Symbol:
        for s in self.symbols:
            if s.person_id == person_id:
                return s
        raise KeyError(person_id)
