"""Order each row of a genogram and give every person an x coordinate.

A row is made of *units*: a person with their partners on the same row, side
by side (a path through the partner links: someone with two partners between
them, a man to the left of a woman where the two are a couple, as the
convention goes). Units are ordered by the barycentre method of Sugiyama,
Tagawa and Toda (1981), sweeping down (each unit under the mean position of
its members' parents) and up (over the mean position of their children), with
brothers and sisters kept in order of birth. After each sweep the x
coordinates are the closest, in least squares, to where each unit would like
to be (under its parents, or over its children) that keep the units in order
and apart: a weighted isotonic regression solved by the pool-adjacent-
violators algorithm (Best and Chakravarti, 1990), linear in the row's length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .scene import PARTNER_SPACING, SPACING

SWEEPS = 4


@dataclass
class Unit:
    members: list[int]  # left to right
    left: float = 0.0

    @property
    def width(self) -> float:
        return (len(self.members) - 1) * PARTNER_SPACING

    def offset(self, i: int) -> float:
        return i * PARTNER_SPACING


def units_for_row(people: Sequence[int], partners: Mapping[int, Sequence[int]], male: set[int]) -> list[Unit]:
    """Split a row into units: partners side by side, as a path where the
    partner links allow (a person with three or more partners on the row has
    the third and later ones further along)."""
    on_row = set(people)
    seen: set[int] = set()
    units = []
    for start in people:
        if start in seen:
            continue
        # the connected partners of ``start`` on this row
        comp, stack = [], [start]
        seen.add(start)
        while stack:
            p = stack.pop()
            comp.append(p)
            for q in partners.get(p, ()):
                if q in on_row and q not in seen:
                    seen.add(q)
                    stack.append(q)
        units.append(Unit(_as_path(comp, partners, male)))
    return units


def _as_path(comp: list[int], partners: Mapping[int, Sequence[int]], male: set[int]) -> list[int]:
    if len(comp) == 1:
        return comp
    members = set(comp)

    def degree(p: int) -> int:
        return sum(1 for q in partners.get(p, ()) if q in members)

    start = min(comp, key=lambda p: (degree(p), p))
    path, used = [start], {start}
    while True:
        nxt = sorted(q for q in partners.get(path[-1], ()) if q in members and q not in used)
        if not nxt:
            break
        nxt.sort(key=lambda q: (degree(q) != 1 and len(nxt) > 1, q))
        path.append(nxt[0])
        used.add(nxt[0])
    path += sorted(members - used)
    if path[-1] in male and path[0] not in male:
        path.reverse()
    return path


def order_rows(
    rows: Mapping[int, list[int]],
    parents: Mapping[int, Sequence[int]],
    children: Mapping[int, Sequence[int]],
    partners: Mapping[int, Sequence[int]],
    male: set[int],
    birth_key: Mapping[int, tuple[int, int]],
) -> dict[int, float]:
    """The x coordinate of each person. ``rows`` maps a row number to its people
    in a first order (say, breadth first from the index children);
    ``birth_key`` orders brothers and sisters (oldest first)."""
    row_units = {r: units_for_row(people, partners, male) for r, people in rows.items()}
    x: dict[int, float] = {}
    for units in row_units.values():
        _pack(units, [None] * len(units))
        _read(units, x)
    numbers = sorted(row_units)
    for _ in range(SWEEPS):
        before = _placing(row_units)
        for r in numbers[1:]:
            _sweep(row_units[r], parents, x, birth_key)
        for r in reversed(numbers[:-1]):
            _sweep(row_units[r], children, x, birth_key)
        if _placing(row_units) == before:
            break  # a sweep down and up that moved nothing: every later one would move nothing
    for r in numbers[1:]:  # end under the parents: children hang from their line
        _sweep(row_units[r], parents, x, birth_key)
    return x


def _placing(row_units: Mapping[int, list[Unit]]) -> list[tuple[int, ...] | float]:
    """Where every unit is: each row's units in order, by their first member,
    and each unit's ``left``. The sweeps read nothing else (``x`` is made from
    it), so two sweeps from the same placing give the same placing."""
    out: list[tuple[int, ...] | float] = []
    for r in sorted(row_units):
        units = row_units[r]
        out.append(tuple(u.members[0] for u in units))
        out.extend(u.left for u in units)
    return out


def _read(units: list[Unit], x: dict[int, float]) -> None:
    for u in units:
        left = u.left
        for i, p in enumerate(u.members):
            x[p] = left + i * PARTNER_SPACING  # u.left + u.offset(i), without a call a person


def _desire(u: Unit, towards: Mapping[int, Sequence[int]], x: Mapping[int, float]) -> float | None:
    """Where the unit's left end would like to be: its members over (or under)
    the mean position of the people they are drawn towards."""
    wants = []
    for i, p in enumerate(u.members):
        linked = towards.get(p)
        if not linked:
            continue
        others = [x[q] for q in linked if q in x]
        if others:
            wants.append(sum(others) / len(others) - i * PARTNER_SPACING)  # u.offset(i)
    return sum(wants) / len(wants) if wants else None


def _sweep(
    units: list[Unit],
    towards: Mapping[int, Sequence[int]],
    x: dict[int, float],
    birth_key: Mapping[int, tuple[int, int]],
) -> None:
    desires = [_desire(u, towards, x) for u in units]
    ranked = sorted(
        range(len(units)),
        key=lambda i: (
            desires[i] if desires[i] is not None else units[i].left,
            birth_key.get(units[i].members[0], (0, 0)),
            units[i].members[0],
        ),
    )
    units[:] = [units[i] for i in ranked]
    _pack(units, [desires[i] for i in ranked])
    _read(units, x)


def _pack(units: list[Unit], desires: list[float | None]) -> None:
    """Set each unit's ``left``: in order, ``SPACING`` apart at least, as close
    as possible (weighted least squares) to its desire; a unit with no desire
    would like to stay where it is, with a small weight."""
    # x_i = y_i + offset_i with y non-decreasing: isotonic regression on y
    blocks: list[list[float]] = []  # [weight, weighted sum, count]
    offset = 0.0
    offsets = []
    for u, want in zip(units, desires, strict=True):
        offsets.append(offset)
        weight, target = (1.0, want) if want is not None else (0.01, u.left)
        blocks.append([weight, weight * (target - offset), 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            w, s, n = blocks.pop()
            blocks[-1][0] += w
            blocks[-1][1] += s
            blocks[-1][2] += n
        offset += (len(u.members) - 1) * PARTNER_SPACING + SPACING  # u.width + SPACING
    i = 0
    for w, s, n in blocks:
        y = s / w
        for _ in range(int(n)):
            units[i].left = y + offsets[i]
            i += 1


def first_order(
    rows: Mapping[int, int], start: Sequence[int], links: Mapping[int, Sequence[int]]
) -> dict[int, list[int]]:
    """People by row in breadth-first order from ``start`` over ``links``
    (people not reached come last, by id)."""
    seen: dict[int, None] = {}
    queue = [p for p in start if p in rows]
    for p in queue:
        seen.setdefault(p)
    i = 0
    while i < len(queue):
        for q in links.get(queue[i], ()):
            if q in rows and q not in seen:
                seen[q] = None
                queue.append(q)
        i += 1
    for p in sorted(rows):
        seen.setdefault(p)
    out: dict[int, list[int]] = defaultdict(list)
    for p in seen:
        out[rows[p]].append(p)
    return dict(out)
