"""Lay out a family network as a genogram: rows by generation, partners side
by side, children hanging from their parents' partnership line.

Pure Python over the core network (:class:`kinmap.core.model.Network`): give
it the network as it stands on a date (``on``) and the people to draw, and it
returns a :class:`~kinmap.core.genogram.scene.Genogram` of positioned
symbols and lines. It runs no queries and reads no clock, so the same network
and date always give the same drawing, and a network reconstructed as it was
on an earlier date can be drawn the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import pairwise

from ..dates import short_month
from ..graph import FamilyGraph
from ..model import Network, Person, Relationship
from ..vocab import PARENT_CODES, PARTNER_CODES, CarePlace, Sex, rel_type
from .generations import generations
from .order import first_order, order_rows
from .scene import (
    LABEL_DEPTH,
    LABEL_WIDTH,
    MARGIN,
    ROW_HEIGHT,
    SYMBOL,
    Association,
    CareArrow,
    ChildLink,
    Descent,
    Genogram,
    HouseholdOutline,
    Line,
    Partnership,
    Point,
    Shape,
    Symbol,
)

# Which parent links a child hangs from, strongest first; the others are drawn
# as separate lines from that parent.
DESCENT_BY_CODE = {
    "NMTH": Descent.BIRTH,
    "NFTH": Descent.BIRTH,
    "ADOPTM": Descent.ADOPTIVE,
    "ADOPTF": Descent.ADOPTIVE,
    "x-foster-parent": Descent.FOSTER,
    "STPMTH": Descent.STEP,
    "STPFTH": Descent.STEP,
    "PRN": Descent.LEGAL,
}
_DESCENT_RANK = {Descent.BIRTH: 0, Descent.LEGAL: 1, Descent.ADOPTIVE: 1, Descent.FOSTER: 2, Descent.STEP: 3}

# Partnership lines (McGoldrick et al.): married solid, living together dashed,
# together but not living together dotted; one slash separated, two ended.
PARTNER_LINE = {
    "SPS": Line.SOLID,
    "DOMPART": Line.DASHED,
    "SIGOTHR": Line.DOTTED,
    "x-former-partner": Line.SOLID,
}
PARTNER_WORDS = {
    "SPS": "married or civil partners",
    "DOMPART": "living together",
    "SIGOTHR": "in a relationship, not living together",
    "x-former-partner": "former partners: divorced or relationship ended",
}
ASSOCIATION_WORDS = {
    "SIB": "sibling",
    "HSIB": "half-sibling",
    "STPSIB": "stepsibling",
    "GRPRN": "grandparent",
    "FAMMEMB": "relative",
    "FRND": "friend",
    "x-regular-visitor": "regular visitor",
    "x-professional-carer": "professional carer",
}

SHAPE_BY_SEX = {Sex.MALE: Shape.SQUARE, Sex.FEMALE: Shape.CIRCLE}
LINE_DROP = 14.0  # the partnership line of partners not side by side runs this far below the labels
BUS_ABOVE = 34.0  # the line children hang from runs this far above their symbols
TRIM = SYMBOL / 2 + 5  # curves start and end this far from a symbol's centre


def genogram_layout(
    network: Network, on: date, *, people: Iterable[int] | None = None, graph: FamilyGraph | None = None
) -> Genogram:
    """Lay out ``network`` as it stands on ``on``.

    ``people`` are the ids to draw (by default the network's members, not the
    people loaded only because they are related to a member); relationships,
    households and care are drawn between them only. Each person is drawn
    once. Partners (current and former) are on the same row, side by side
    where the links allow; every parent is on a row above each child.
    ``graph``: the caller's graph of ``network`` on ``on`` (what it worked
    out already is used again), or None for a new one; ``ValueError`` for a
    graph of another network or day.
    """
    graph = FamilyGraph.given_or_new(graph, network, on)
    drawn = sorted(set(people) if people is not None else (p for p in network.people if network.is_member(p)))
    drawn_set = set(drawn)
    rels = [
        r
        for r in network.relationships
        if r.from_id in drawn_set and r.to_id in drawn_set and r.from_id != r.to_id
    ]

    partners: dict[int, list[int]] = defaultdict(list)
    parent_rels: dict[int, list[Relationship]] = defaultdict(list)  # child -> parent links
    links: dict[int, list[int]] = defaultdict(list)  # any relationship, for the first order
    for r in rels:
        links[r.from_id].append(r.to_id)
        links[r.to_id].append(r.from_id)
        if r.type in PARTNER_CODES:
            partners[r.from_id].append(r.to_id)
            partners[r.to_id].append(r.from_id)
        elif r.type in PARENT_CODES:
            parent_rels[r.to_id].append(r)
    for pid in links:
        links[pid] = sorted(set(links[pid]))
    primary = {child: _primary(rs) for child, rs in parent_rels.items()}
    primary_parents = {child: tuple(dict.fromkeys(r.from_id for r in rs)) for child, rs in primary.items()}
    primary_children: dict[int, list[int]] = defaultdict(list)
    for child, ps in primary_parents.items():
        for p in ps:
            primary_children[p].append(child)

    row_of = generations(network, drawn, on)
    rows = first_order(row_of, [*network.index_child_ids, *drawn], links)
    male = {p for p in drawn if network.people[p].sex is Sex.MALE}
    birth_key = {p: _birth_key(network.people[p]) for p in drawn}
    xs = order_rows(rows, primary_parents, primary_children, partners, male, birth_key)

    left = min(xs.values(), default=0.0) - LABEL_WIDTH / 2 - MARGIN
    pos: dict[int, Point] = {p: (xs[p] - left, MARGIN + SYMBOL + row_of[p] * ROW_HEIGHT) for p in drawn}
    order_in_row = {p: i for people_ in _rows_by_x(rows, xs).values() for i, p in enumerate(people_)}

    symbols = tuple(_symbol(network, graph, p, pos[p], row_of[p], on) for p in drawn)
    partnerships, anchors = _partnerships(rels, pos, row_of, order_in_row, on)
    children = _children(primary, parent_rels, pos, anchors, partnerships)
    associations = tuple(
        _association(r, pos) for r in rels if r.type not in PARTNER_CODES and r.type not in PARENT_CODES
    )
    households = _households(network, graph, drawn_set, pos, row_of, _rows_by_x(rows, xs), on)
    care = tuple(
        CareArrow(
            c.id,
            c.carer_id,
            c.child_id,
            c.overnight,
            _care_words(c.overnight, c.frequency),
            _curve(pos[c.carer_id], pos[c.child_id], 0.3),
        )
        for c in network.care
        if c.carer_id in drawn_set
        and c.child_id in drawn_set
        and c.current_on(on)
        and c.place is not CarePlace.CHILD_HOME
    )
    curves = [pt for c in care for pt in c.points] + [pt for a in associations for pt in a.points]
    width = (
        max(
            max((x for x, _ in pos.values()), default=0.0) + LABEL_WIDTH / 2,
            max((x + 40 for x, _ in curves), default=0.0),  # room for the words on a curve
        )
        + MARGIN
    )
    n_rows = max(row_of.values(), default=-1) + 1
    height = MARGIN + SYMBOL + max(n_rows - 1, 0) * ROW_HEIGHT + LABEL_DEPTH + LINE_DROP * 4 + MARGIN / 2
    return Genogram(
        symbols=symbols,
        partnerships=tuple(partnerships),
        children=tuple(children),
        associations=associations,
        households=households,
        care=care,
        width=round(width, 1),
        height=round(height, 1),
        rows=n_rows,
    )


def _primary(rs: list[Relationship]) -> list[Relationship]:
    """The parent links a child hangs from: the strongest kind present (birth,
    then adoptive, foster, step), at most two parents."""
    best = min(_DESCENT_RANK[DESCENT_BY_CODE[r.type]] for r in rs)
    chosen = [r for r in rs if _DESCENT_RANK[DESCENT_BY_CODE[r.type]] == best]
    keep = list(dict.fromkeys(r.from_id for r in chosen))[:2]
    return [r for r in chosen if r.from_id in keep]


def _birth_key(p: Person) -> tuple[int, int]:
    return (0, p.birth_date.toordinal()) if p.birth_date else (1, 0)


def _rows_by_x(rows: dict[int, list[int]], xs: dict[int, float]) -> dict[int, list[int]]:
    return {r: sorted(people, key=lambda p: xs[p]) for r, people in rows.items()}


def _year(d: date | None) -> str:
    return str(d.year) if d else ""


def _symbol(network: Network, graph: FamilyGraph, pid: int, at: Point, row: int, on: date) -> Symbol:
    p = network.people[pid]
    unborn = p.unborn
    role_only = not unborn and not (p.given_name.strip() or p.family_name.strip())
    if unborn:
        label = p.display_name if (p.given_name or p.family_name) else "Unborn baby"
    elif role_only:
        label = f"{_role_of(network, graph, pid)}, name not known"
    else:
        label = p.display_name
    deceased = p.death_date is not None and p.death_date <= on
    if unborn and p.birth_date:
        dates = f"due {p.birth_date.day} {short_month(p.birth_date)} {p.birth_date.year}"
    elif deceased:
        dates = (
            f"b. {_year(p.birth_date)} d. {_year(p.death_date)}"
            if p.birth_date
            else f"d. {_year(p.death_date)}"
        )
    else:
        dates = f"b. {p.birth_date.year}" if p.birth_date else ""
    return Symbol(
        person_id=pid,
        x=round(at[0], 1),
        y=round(at[1], 1),
        row=row,
        shape=Shape.TRIANGLE if unborn else SHAPE_BY_SEX.get(p.sex, Shape.DIAMOND),
        label=label,
        dates=dates,
        index=pid in network.index_child_ids,
        deceased=deceased,
        unborn=unborn,
        role_only=role_only,
        due=p.birth_date if unborn else None,
    )


def _role_of(network: Network, graph: FamilyGraph, pid: int) -> str:
    """The person's role to the first index child: "Birth father"."""
    for child in network.index_child_ids:
        if child != pid and child in network.people:
            return graph.relation_to_child(pid, child).capitalize()
    return "Role not recorded"


def _partnerships(
    rels: list[Relationship],
    pos: dict[int, Point],
    row_of: dict[int, int],
    order_in_row: dict[int, int],
    on: date,
) -> tuple[list[Partnership], dict[frozenset[int], Point]]:
    """The partnership lines, and where children of each pair hang from."""
    out: list[Partnership] = []
    anchors: dict[frozenset[int], Point] = {}
    lower_lines: dict[int, int] = defaultdict(int)  # row -> lines already drawn below it
    for r in rels:
        if r.type not in PARTNER_CODES:
            continue
        a, b = sorted((r.from_id, r.to_id), key=lambda p: pos[p][0])
        (ax, ay), (bx, by) = pos[a], pos[b]
        adjacent = row_of[a] == row_of[b] and abs(order_in_row[a] - order_in_row[b]) == 1
        if adjacent:
            points: tuple[Point, ...] = ((ax + SYMBOL / 2, ay), (bx - SYMBOL / 2, by))
            anchor = ((ax + bx) / 2, ay)
        else:
            lower_lines[row_of[a]] += 1
            depth = max(ay, by) + LABEL_DEPTH + LINE_DROP * lower_lines[row_of[a]]
            points = ((ax, ay + SYMBOL / 2), (ax, depth), (bx, depth), (bx, by + SYMBOL / 2))
            anchor = ((ax + bx) / 2, depth)
        anchors.setdefault(frozenset((a, b)), anchor)
        ended = r.end is not None and r.end <= on
        slashes = 2 if r.type == "x-former-partner" else (1 if ended else 0)
        words = PARTNER_WORDS[r.type] + (", separated" if slashes == 1 else "")
        years = " to ".join(y for y in (_year(r.start), _year(r.end)) if y)
        if r.start is None and r.end is not None:
            years = f"ended {r.end.year}"
        out.append(
            Partnership((r.id,), a, b, PARTNER_LINE[r.type], slashes, years, words, _round(points), adjacent)
        )
    return out, anchors


def _children(
    primary: dict[int, list[Relationship]],
    parent_rels: dict[int, list[Relationship]],
    pos: dict[int, Point],
    anchors: dict[frozenset[int], Point],
    partnerships: list[Partnership],
) -> list[ChildLink]:
    out: list[ChildLink] = []
    for child in sorted(parent_rels):
        cx, cy = pos[child]
        top = cy - SYMBOL / 2
        bus = top - BUS_ABOVE
        chosen = primary[child]
        parents = tuple(dict.fromkeys(r.from_id for r in chosen))
        kind = DESCENT_BY_CODE[chosen[0].type]
        if len(parents) == 2:
            pair = frozenset(parents)
            if pair not in anchors:
                # parents of a child with no relationship recorded between them:
                # a thin line joins them so the child can hang from it
                a, b = sorted(parents, key=lambda p: pos[p][0])
                (ax, ay), (bx, by) = pos[a], pos[b]
                depth = max(ay, by) + LABEL_DEPTH + LINE_DROP
                pts = ((ax, ay + SYMBOL / 2), (ax, depth), (bx, depth), (bx, by + SYMBOL / 2))
                partnerships.append(
                    Partnership(
                        (),
                        a,
                        b,
                        Line.SOLID,
                        0,
                        "",
                        "parents of a child, no relationship recorded between them",
                        _round(pts),
                        False,
                        recorded=False,
                    )
                )
                anchors[pair] = ((ax + bx) / 2, depth)
            start = anchors[pair]
        else:
            px, py = pos[parents[0]]
            start = (px, py + LABEL_DEPTH)
        bus = max(bus, start[1] + 8)
        points = (start, (start[0], bus), (cx, bus), (cx, top))
        out.append(ChildLink(child, parents, tuple(r.id for r in chosen), kind, _round(points)))
        for r in parent_rels[child]:
            if r in chosen:
                continue
            px, py = pos[r.from_id]
            out.append(
                ChildLink(
                    child,
                    (r.from_id,),
                    (r.id,),
                    DESCENT_BY_CODE[r.type],
                    _round(((px, py + SYMBOL / 2), (cx, top))),
                )
            )
    return out


def _curve(a: Point, b: Point, bend: float) -> tuple[Point, Point, Point]:
    """A quadratic curve from ``a`` to ``b`` bowed by ``bend`` of its length
    (upwards for a curve along a row), so it passes above the symbols between."""
    (ax, ay), (bx, by) = a, b
    mx, my = (ax + bx) / 2, (ay + by) / 2
    dx, dy = bx - ax, by - ay
    # the normal pointing up (negative y) where there is one
    nx, ny = dy, -dx
    if ny > 0 or (ny == 0 and nx > 0):
        nx, ny = -nx, -ny
    control = (mx + nx * bend, my + ny * bend)
    return _round((_towards(a, control, TRIM), control, _towards(b, control, TRIM)))  # type: ignore[return-value]


def _towards(p: Point, q: Point, by: float) -> Point:
    """``p`` moved ``by`` towards ``q`` (to start a line at a symbol's edge)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return (p[0] + dx / length * by, p[1] + dy / length * by)


def _association(r: Relationship, pos: dict[int, Point]) -> Association:
    return Association(
        r.id,
        r.from_id,
        r.to_id,
        ASSOCIATION_WORDS.get(r.type, rel_type(r.type).noun),
        _curve(pos[r.from_id], pos[r.to_id], 0.18),
    )


def _care_words(overnight: bool, frequency: str) -> str:
    words = "overnight care" if overnight else "daytime care"
    return f"{words}, {frequency}" if frequency else words


def _households(
    network: Network,
    graph: FamilyGraph,
    drawn: set[int],
    pos: dict[int, Point],
    row_of: dict[int, int],
    rows: dict[int, list[int]],
    on: date,
) -> tuple[HouseholdOutline, ...]:
    """Dotted outlines around the people who live together on ``on``: a box
    for each run of neighbours on a row, joined by connectors."""
    residents: dict[int, list[int]] = defaultdict(list)
    for res in network.residences:
        if res.person_id in drawn and res.current_on(on) and res.person_id not in residents[res.household_id]:
            residents[res.household_id].append(res.person_id)
    out = []
    half_w, above, below = LABEL_WIDTH / 2 + 4, SYMBOL / 2 + 14, LABEL_DEPTH + 2
    for hid in sorted(residents):
        people = set(residents[hid])
        if len(people) < 2:
            continue
        boxes: list[tuple[float, float, float, float]] = []
        for r in sorted({row_of[p] for p in people}):
            run: list[int] = []
            for p in [*rows[r], None]:
                if p is not None and p in people:
                    run.append(p)
                    continue
                if run:
                    x0, x1 = pos[run[0]][0] - half_w, pos[run[-1]][0] + half_w
                    y = pos[run[0]][1]
                    boxes.append(
                        (round(x0, 1), round(y - above, 1), round(x1 - x0, 1), round(above + below, 1))
                    )
                    run = []
        connectors = tuple(
            (
                (round(a[0] + a[2] / 2, 1), round(a[1] + a[3], 1)),
                (round(b[0] + b[2] / 2, 1), round(b[1], 1)),
            )
            if b[1] > a[1]
            else (
                (round(a[0] + a[2], 1), round(a[1] + a[3] / 2, 1)),
                (round(b[0], 1), round(b[1] + b[3] / 2, 1)),
            )
            for a, b in pairwise(boxes)
        )
        out.append(HouseholdOutline(hid, tuple(sorted(people)), tuple(boxes), connectors))
    return tuple(out)


def _round(points: Iterable[Point]) -> tuple[Point, ...]:
    return tuple((round(x, 1), round(y, 1)) for x, y in points)
