"""Write a laid-out genogram as SVG text. Pure Python, no Django.

Every piece of text is escaped with :mod:`xml.sax.saxutils`. The writer
draws only what it is given: names and dates from the layout, and the
household labels, links and gap markers the caller passes in, so the caller
decides what a user may see (masked addresses are replaced before they get
here). The picture is ``role="img"`` with a ``<title>`` and ``<desc>``;
over it, people and gap markers are links, reachable with the keyboard. A key below
the diagram explains every symbol and line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from .scene import (
    LABEL_DEPTH,
    LABEL_WIDTH,
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

INK = "#0b0c0c"  # GOV.UK text colour
GREY = "#505a5f"  # GOV.UK secondary text colour
HOUSEHOLD = "#1d70b8"  # GOV.UK blue
CARE = "#b04700"  # a dark orange (AA contrast on white)
GAP = "#d4351c"  # GOV.UK red
FONT = "Arial, Helvetica, sans-serif"
DASH = {Line.SOLID: "", Line.DASHED: "8 5", Line.DOTTED: "2 4", Line.DASH_DOT: "9 4 2 4"}
DESCENT_LINE = {
    Descent.BIRTH: Line.SOLID,
    Descent.ADOPTIVE: Line.DASHED,
    Descent.FOSTER: Line.DOTTED,
    Descent.STEP: Line.DASH_DOT,
    Descent.LEGAL: Line.SOLID,
}
DESCENT_LETTER = {
    Descent.ADOPTIVE: "A",
    Descent.FOSTER: "F",
    Descent.STEP: "S",
    Descent.LEGAL: "L",
    Descent.BIRTH: "",
}
DESCENT_WORDS = {
    Descent.BIRTH: "birth child",
    Descent.ADOPTIVE: "adopted child",
    Descent.FOSTER: "foster child",
    Descent.STEP: "stepchild",
    Descent.LEGAL: "child (legal parent)",
}
NAME_CHARS = 18  # per line of a name label (LABEL_WIDTH at 11 px)
KEY_COLUMN = 400.0
KEY_ROW = 34.0


@dataclass(frozen=True)
class GapMarker:
    """Open critical gaps about one person: how many, and where they are listed."""

    count: int
    href: str


def genogram_svg(
    g: Genogram,
    *,
    title: str,
    description: str,
    person_links: Mapping[int, str] | None = None,
    gap_markers: Mapping[int, GapMarker] | None = None,
    household_labels: Mapping[int, str] | None = None,
    id_prefix: str = "genogram",
    key: bool = True,
) -> str:
    """The genogram as a standalone SVG document (text).

    ``person_links`` maps a person id to the address of their page (people
    without one are drawn without a link); ``gap_markers`` to their open
    critical gaps; ``household_labels`` a household id to the words for its
    outline (an address the user may see, or words that say it is masked).
    ``id_prefix`` keeps the element ids unique on a page.
    """
    links = person_links or {}
    gaps = gap_markers or {}
    labels = household_labels or {}
    key_height = _key_height() if key else 0.0
    width = max(g.width, 2 * KEY_COLUMN + 40 if key else 0.0)
    height = g.height + key_height
    names = {s.person_id: s.label for s in g.symbols}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="group" aria-labelledby="{id_prefix}-title" '
        f'font-family="{FONT}" font-size="11" fill="{INK}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        "<defs>",
        f'<marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" '
        f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{CARE}"/></marker>',
        "</defs>",
        f'<g role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" data-layer="picture">',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
        '<g data-layer="households">',
        *(_household(h, labels.get(h.household_id, "Household"), names) for h in g.households),
        "</g>",
        '<g data-layer="partnerships">',
        *(_partnership(p, names) for p in g.partnerships),
        "</g>",
        '<g data-layer="children">',
        *(_child(c, names) for c in g.children),
        "</g>",
        '<g data-layer="associations">',
        *(_association(a, names) for a in g.associations),
        "</g>",
        '<g data-layer="care">',
        *(_care(c, names, id_prefix) for c in g.care),
        "</g>",
        '<g data-layer="people">',
        *(_person(s) for s in g.symbols),
        "</g>",
    ]
    if key:
        out.append(_key(g.height, id_prefix))
    # The links are outside the picture: an image's parts are not announced
    # one by one, and controls must not be nested inside one (WAI-ARIA 1.2,
    # "children presentational"). Each is a see-through area over a person's
    # symbol and name, or a gap marker, with its own title as its name.
    out += [
        "</g>",
        '<g data-layer="links">',
        *(_person_link(s, links[s.person_id]) for s in g.symbols if s.person_id in links),
        *(_gap(s, gaps[s.person_id]) for s in g.symbols if s.person_id in gaps),
        "</g>",
        "</svg>",
    ]
    return "\n".join(out) + "\n"


@lru_cache(maxsize=4096)
def _n(v: float) -> str:
    """A coordinate as short, stable text (kept by value: a genogram writes a
    few hundred, most of them more than once)."""
    return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _pts(points: tuple[Point, ...]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _stroke(line: Line, colour: str = INK, width: float = 1.5) -> str:
    dash = DASH[line]
    return f'fill="none" stroke="{colour}" stroke-width="{_n(width)}"' + (
        f' stroke-dasharray="{dash}"' if dash else ""
    )


def _title(words: str) -> str:
    return f"<title>{escape(words)}</title>"


def _household(h: HouseholdOutline, label: str, names: Mapping[int, str]) -> str:
    who = ", ".join(names[p] for p in h.person_ids)
    parts = [f'<g data-household="{h.household_id}">', _title(f"Live together now: {who}. {label}")]
    for x, y, w, hh in h.boxes:
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(hh)}" rx="14" '
            f"{_stroke(Line.DOTTED, HOUSEHOLD, 2)}/>"
        )
    for (x1, y1), (x2, y2) in h.connectors:
        parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f"{_stroke(Line.DOTTED, HOUSEHOLD, 2)}/>"
        )
    parts.append("</g>")
    return "".join(parts)


def _slashes(p: Partnership) -> str:
    """One slash (separated) or two (ended) across the partnership line, a third
    of the way along its horizontal part."""
    if not p.slashes:
        return ""
    pts = p.points
    (x1, y), (x2, _) = (pts[0], pts[1]) if p.adjacent else (pts[1], pts[2])
    cx = x1 + (x2 - x1) / 3
    out = []
    for i in range(p.slashes):
        dx = cx + (i - (p.slashes - 1) / 2) * 8
        out.append(
            f'<line x1="{_n(dx - 4)}" y1="{_n(y + 8)}" x2="{_n(dx + 4)}" y2="{_n(y - 8)}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
    return "".join(out)


def _partnership(p: Partnership, names: Mapping[int, str]) -> str:
    words = f"{names[p.a]} and {names[p.b]}: {p.words}" + (f", {p.years}" if p.years else "")
    rels = " ".join(str(i) for i in p.relationship_ids)
    colour, width = (INK, 1.5) if p.recorded else (GREY, 1.0)
    parts = [
        f'<g data-rel="{rels}" data-partners="{p.a} {p.b}">',
        _title(words),
        f'<polyline points="{_pts(p.points)}" {_stroke(p.line, colour, width)}/>',
        _slashes(p),
    ]
    if p.years:
        (x1, y), (x2, _) = (p.points[0], p.points[1]) if p.adjacent else (p.points[1], p.points[2])
        parts.append(
            f'<text x="{_n((x1 + x2) / 2)}" y="{_n(y - 11)}" text-anchor="middle" font-size="10" '
            f'fill="{GREY}">{escape(p.years)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _child(c: ChildLink, names: Mapping[int, str]) -> str:
    parents = " and ".join(names[p] for p in c.parent_ids)
    words = f"{names[c.child_id]}: {DESCENT_WORDS[c.descent]} of {parents}"
    rels = " ".join(str(i) for i in c.relationship_ids)
    parts = [
        f'<g data-rel="{rels}" data-child="{c.child_id}">',
        _title(words),
        f'<polyline points="{_pts(c.points)}" {_stroke(DESCENT_LINE[c.descent])}/>',
    ]
    letter = DESCENT_LETTER[c.descent]
    if letter:
        (_, y1), (x2, y2) = c.points[-2], c.points[-1]
        at = f'x="{_n(x2 + 5)}" y="{_n((y1 + y2) / 2 + 4)}"'
        parts.append(f'<text {at} font-size="10" font-weight="bold">{letter}</text>')
    parts.append("</g>")
    return "".join(parts)


def _curve(points: tuple[Point, Point, Point]) -> str:
    (x1, y1), (cx, cy), (x2, y2) = points
    return f"M{_n(x1)},{_n(y1)} Q{_n(cx)},{_n(cy)} {_n(x2)},{_n(y2)}"


def _association(a: Association, names: Mapping[int, str]) -> str:
    (x1, y1), (cx, cy), (x2, y2) = a.points
    mx, my = (x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4  # the curve's midpoint
    return (
        f'<g data-rel="{a.relationship_id}">{_title(f"{names[a.a]} and {names[a.b]}: {a.words}")}'
        f'<path d="{_curve(a.points)}" {_stroke(Line.DASHED, GREY, 1)}/>'
        f'<text x="{_n(mx)}" y="{_n(my - 3)}" text-anchor="middle" font-size="10" fill="{GREY}">'
        f"{escape(a.words)}</text></g>"
    )


def _care(c: CareArrow, names: Mapping[int, str], prefix: str) -> str:
    (x1, y1), (cx, cy), (x2, y2) = c.points
    mx, my = (x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4
    words = f"{names[c.carer_id]} looks after {names[c.child_id]} away from the child's home: {c.words}"
    width = 3 if c.overnight else 1.5
    mark = (
        f'<text x="{_n(mx)}" y="{_n(my - 4)}" text-anchor="middle" font-size="10" font-weight="bold" '
        f'fill="{CARE}">overnight</text>'
        if c.overnight
        else ""
    )
    return (
        f'<g data-care="{c.care_id}">{_title(words)}'
        f'<path d="{_curve(c.points)}" fill="none" stroke="{CARE}" stroke-width="{width}" '
        f'marker-end="url(#{prefix}-arrow)"/>{mark}</g>'
    )


def _shape(shape: Shape, x: float, y: float, size: float, style: str) -> str:
    h = size / 2
    if shape is Shape.SQUARE:
        return f'<rect x="{_n(x - h)}" y="{_n(y - h)}" width="{_n(size)}" height="{_n(size)}" {style}/>'
    if shape is Shape.CIRCLE:
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(h)}" {style}/>'
    if shape is Shape.DIAMOND:
        return f'<polygon points="{_pts(((x, y - h), (x + h, y), (x, y + h), (x - h, y)))}" {style}/>'
    return f'<polygon points="{_pts(((x, y - h), (x + h, y + h), (x - h, y + h)))}" {style}/>'


def _symbol_marks(s: Symbol, size: float | None = None) -> str:
    """The symbol with its outlines: double for an index child, dashed for
    someone known only by role, a cross for someone who has died."""
    size = size or s.size
    dashed = ' stroke-dasharray="5 3"' if s.role_only else ""
    parts = [_shape(s.shape, s.x, s.y, size, f'fill="#ffffff" stroke="{INK}" stroke-width="2"{dashed}')]
    if s.index:
        triangle = s.shape is Shape.TRIANGLE
        inner = size - (10 if triangle else 8)
        plain = f'fill="none" stroke="{INK}" stroke-width="1.5"'
        parts.append(_shape(s.shape, s.x, s.y + (2 if triangle else 0), inner, plain))
    if s.deceased:
        h = size / 2
        parts.append(
            f'<path d="M{_n(s.x - h)},{_n(s.y - h)} L{_n(s.x + h)},{_n(s.y + h)} '
            f'M{_n(s.x + h)},{_n(s.y - h)} L{_n(s.x - h)},{_n(s.y + h)}" stroke="{INK}" stroke-width="2"/>'
        )
    return "".join(parts)


def _lines(label: str) -> list[str]:
    """A name on at most two lines of ``NAME_CHARS``, shortened with an ellipsis."""
    words, lines, current = label.split(), [], ""
    for w in words:
        if current and len(current) + 1 + len(w) > NAME_CHARS:
            lines.append(current)
            current = w
        else:
            current = f"{current} {w}".strip()
    lines.append(current)
    lines = [ln if len(ln) <= NAME_CHARS else ln[: NAME_CHARS - 1] + "…" for ln in lines]
    if len(lines) > 2:
        lines = [
            lines[0],
            (lines[1][: NAME_CHARS - 1] + "…") if len(lines[1]) >= NAME_CHARS else lines[1] + "…",
        ]
    return lines


def _person_words(s: Symbol) -> str:
    words = s.label
    if s.index:
        words += " (index child)"
    if s.dates:
        words += f", {s.dates}"
    return words


def _person_link(s: Symbol, href: str) -> str:
    top = s.y - s.size / 2 - 4
    return (
        f'<a href={quoteattr(href)} data-person-link="{s.person_id}">'
        f"{_title(_person_words(s) + ': open their record')}"
        f'<rect class="kinmap-hit" x="{_n(s.x - LABEL_WIDTH / 2)}" y="{_n(top)}" width="{_n(LABEL_WIDTH)}" '
        f'height="{_n(s.y + LABEL_DEPTH - top)}" rx="6" fill="#ffffff" fill-opacity="0"/></a>'
    )


def _person(s: Symbol) -> str:
    body = [_title(_person_words(s)), _symbol_marks(s)]
    y = s.y + s.size / 2 + 14
    for line in _lines(s.label):
        body.append(f'<text x="{_n(s.x)}" y="{_n(y)}" text-anchor="middle">{escape(line)}</text>')
        y += 13
    if s.dates:
        body.append(
            f'<text x="{_n(s.x)}" y="{_n(y)}" text-anchor="middle" font-size="10" fill="{GREY}">'
            f"{escape(s.dates)}</text>"
        )
    return f'<g data-person="{s.person_id}">{"".join(body)}</g>'


def _gap(s: Symbol, marker: GapMarker) -> str:
    x, y = s.x + s.size / 2 + 2, s.y - s.size / 2 - 2
    many = "gap" if marker.count == 1 else "gaps"
    return (
        f'<a href={quoteattr(marker.href)} data-gaps-for="{s.person_id}">'
        f"{_title(f'{marker.count} open critical {many} about {s.label}')}"
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="10" fill="{GAP}" stroke="#ffffff" stroke-width="2"/>'
        f'<text x="{_n(x)}" y="{_n(y + 4)}" text-anchor="middle" font-size="11" font-weight="bold" '
        f'fill="#ffffff">{marker.count}</text></a>'
    )


# -- the key ----------------------------------------------------------------------


def _key_entries(prefix: str) -> list[tuple[Callable[[float, float], str], str]]:
    def sym(shape: Shape, **kw: bool) -> Callable[[float, float], str]:
        def draw(x: float, y: float) -> str:
            s = Symbol(0, x + 20, y, 0, shape, "", "", **kw)  # type: ignore[arg-type]
            return _symbol_marks(s, 24.0 if shape is Shape.TRIANGLE else 22.0)

        return draw

    def line(
        style: Line, slashes: int = 0, colour: str = INK, width: float = 1.5
    ) -> Callable[[float, float], str]:
        def draw(x: float, y: float) -> str:
            p = Partnership((), 0, 0, style, slashes, "", "", ((x, y), (x + 40, y)), True)
            return f'<polyline points="{_pts(p.points)}" {_stroke(style, colour, width)}/>' + _slashes(p)

        return draw

    def descent(d: Descent) -> Callable[[float, float], str]:
        def draw(x: float, y: float) -> str:
            letter = DESCENT_LETTER[d]
            text = (
                f'<text x="{_n(x + 26)}" y="{_n(y + 4)}" font-size="10" font-weight="bold">{letter}</text>'
                if letter
                else ""
            )
            return (
                f'<polyline points="{_pts(((x + 20, y - 12), (x + 20, y + 12)))}" '
                f"{_stroke(DESCENT_LINE[d])}/>" + text
            )

        return draw

    def household(x: float, y: float) -> str:
        box = f'x="{_n(x)}" y="{_n(y - 11)}" width="40" height="22" rx="8"'
        return f"<rect {box} {_stroke(Line.DOTTED, HOUSEHOLD, 2)}/>"

    def care(overnight: bool) -> Callable[[float, float], str]:
        def draw(x: float, y: float) -> str:
            return (
                f'<path d="M{_n(x)},{_n(y)} L{_n(x + 38)},{_n(y)}" fill="none" stroke="{CARE}" '
                f'stroke-width="{3 if overnight else 1.5}" marker-end="url(#{prefix}-arrow)"/>'
            )

        return draw

    def association(x: float, y: float) -> str:
        d = f"M{_n(x)},{_n(y + 6)} Q{_n(x + 20)},{_n(y - 10)} {_n(x + 40)},{_n(y + 6)}"
        return f'<path d="{d}" {_stroke(Line.DASHED, GREY, 1)}/>'

    def gap(x: float, y: float) -> str:
        return (
            f'<circle cx="{_n(x + 20)}" cy="{_n(y)}" r="10" fill="{GAP}"/>'
            f'<text x="{_n(x + 20)}" y="{_n(y + 4)}" text-anchor="middle" font-size="11" '
            f'font-weight="bold" fill="#ffffff">2</text>'
        )

    return [
        (sym(Shape.SQUARE), "Male"),
        (sym(Shape.CIRCLE), "Female"),
        (sym(Shape.DIAMOND), "Another sex, or sex not known"),
        (sym(Shape.SQUARE, deceased=True), "Died (year of death under the name)"),
        (sym(Shape.CIRCLE, index=True), "Index child (double outline)"),
        (sym(Shape.TRIANGLE, unborn=True), "Unborn child (expected date under it)"),
        (sym(Shape.DIAMOND, role_only=True), "Known only by their role: name not known"),
        (line(Line.SOLID), "Married or civil partners"),
        (line(Line.DASHED), "Partners living together"),
        (line(Line.DOTTED), "In a relationship, not living together"),
        (line(Line.SOLID, 1), "Separated (one slash)"),
        (line(Line.SOLID, 2), "Divorced or relationship ended (two slashes)"),
        (line(Line.SOLID, 0, GREY, 1), "Parents of a child, no relationship recorded"),
        (descent(Descent.BIRTH), "Child of the parents above (birth)"),
        (descent(Descent.ADOPTIVE), "Adopted child (A)"),
        (descent(Descent.FOSTER), "Foster child (F)"),
        (descent(Descent.STEP), "Stepchild (S)"),
        (descent(Descent.LEGAL), "Child of a legal parent who is not a birth parent (L)"),
        (association, "Another relationship (named on the line)"),
        (household, "Live together now (dotted outline)"),
        (care(False), "Looks after the child away from the child's home"),
        (care(True), "... overnight (thick arrow, marked overnight)"),
        (gap, "Open critical gaps (how many): a link to them"),
    ]


@lru_cache(maxsize=1)
def _key_height() -> float:
    rows = -(-len(_key_entries("")) // 2)
    return 50 + rows * KEY_ROW + 20


# The key is the same text wherever it is drawn at the same height with the same
# ids: kept (a page draws one at each of a few heights).
@lru_cache(maxsize=256)
def _key(top: float, prefix: str) -> str:
    entries = _key_entries(prefix)
    rows = -(-len(entries) // 2)
    parts = [
        f'<g data-layer="key" transform="translate(20 {_n(top)})">',
        f'<line x1="0" y1="0" x2="{_n(2 * KEY_COLUMN)}" y2="0" stroke="{GREY}" stroke-width="1"/>',
        '<text x="0" y="30" font-size="16" font-weight="bold">Key</text>',
    ]
    for i, (draw, words) in enumerate(entries):
        col, row = divmod(i, rows)
        x, y = col * KEY_COLUMN, 60 + row * KEY_ROW
        parts.append(draw(x, y))
        parts.append(f'<text x="{_n(x + 56)}" y="{_n(y + 4)}" font-size="12">{escape(words)}</text>')
    parts.append("</g>")
    return "".join(parts)
