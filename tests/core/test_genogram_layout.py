"""The genogram layout (kinmap.core.genogram): its invariants over generated
families, and the symbols and lines it chooses for each kind of record."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinmap.core.genogram import Genogram, genogram_layout
from kinmap.core.genogram.scene import LABEL_WIDTH, Descent, Line, Shape
from kinmap.core.genogram.svg import GapMarker, genogram_svg
from kinmap.core.genogram.synthetic import extended_family
from kinmap.core.model import Network
from kinmap.core.rules.synthetic import SYNTHETIC_TODAY, synthetic_network
from kinmap.core.vocab import (
    BIRTH_FATHER,
    BIRTH_MOTHER,
    PARENT_CODES,
    PARTNER_CODES,
    CarePlace,
    DateAccuracy,
    Sex,
)
from tests.core.builders import TODAY, FamilyBuilder, complete_family
from tests.core.strategies import networks

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Our own SVG text, parsed (it must be well formed XML)."""
    return ET.fromstring(svg)  # noqa: S314 - made by the code under test, not untrusted


def check_invariants(net: Network, g: Genogram, on: date) -> None:
    """What every genogram keeps, whatever the family."""
    members = sorted(p for p in net.people if net.is_member(p))
    drawn = [s.person_id for s in g.symbols]
    # every person is drawn once
    assert sorted(drawn) == members
    by_id = {s.person_id: s for s in g.symbols}
    rows: dict[float, list] = {}
    for s in g.symbols:
        rows.setdefault(s.y, []).append(s)
    # one row per generation: every symbol on a row has the same row number
    for row in rows.values():
        assert len({s.row for s in row}) == 1
    # no two symbols (nor their name labels) overlap
    for row in rows.values():
        row.sort(key=lambda s: s.x)
        for a, b in pairwise(row):
            assert b.x - a.x >= LABEL_WIDTH, (a, b)
    ys = sorted(rows)
    for a, b in pairwise(ys):
        assert b - a > 2 * 40, "rows too close for their symbols"
    for s in g.symbols:
        left, top, right, bottom = s.box()
        assert left >= 0 and right <= g.width and top >= 0 and bottom <= g.height
    rels = [r for r in net.relationships if r.from_id in by_id and r.to_id in by_id]
    # parents are above their children
    for r in rels:
        if r.type in PARENT_CODES:
            assert by_id[r.from_id].y < by_id[r.to_id].y, r
    # partners are side by side on one row (unless someone has three or more
    # partners on that row, who cannot have them all beside them)
    partner_count: dict[int, int] = {}
    for r in rels:
        if r.type in PARTNER_CODES:
            for p in (r.from_id, r.to_id):
                partner_count[p] = partner_count.get(p, 0) + 1
    for r in rels:
        if r.type in PARTNER_CODES:
            a, b = by_id[r.from_id], by_id[r.to_id]
            assert a.y == b.y, r
            if partner_count[r.from_id] <= 2 and partner_count[r.to_id] <= 2:
                row = rows[a.y]
                assert abs(row.index(a) - row.index(b)) == 1, r
    # every relationship the family page shows (both people members) is drawn
    shown = {r.id for r in rels}
    drawn_rels = {i for p in g.partnerships for i in p.relationship_ids}
    drawn_rels |= {i for c in g.children for i in c.relationship_ids}
    drawn_rels |= {a.relationship_id for a in g.associations}
    assert shown <= drawn_rels
    # every care arrangement away from the child's home now is an arrow
    away = {
        c.id
        for c in net.care
        if c.current_on(on)
        and c.place is not CarePlace.CHILD_HOME
        and c.carer_id in by_id
        and c.child_id in by_id
    }
    assert {c.care_id for c in g.care} == away
    # every household of two or more people now is outlined, around them
    for h in g.households:
        living = {
            r.person_id for r in net.residences if r.household_id == h.household_id and r.current_on(on)
        }
        assert set(h.person_ids) == living & set(by_id)
        for pid in h.person_ids:
            s = by_id[pid]
            assert any(x <= s.x <= x + w and y <= s.y <= y + hh for x, y, w, hh in h.boxes)
    # and the SVG draws each person once, each drawn relationship, and is well formed
    svg = genogram_svg(g, title="Genogram", description="test", person_links={p: f"/p/{p}" for p in drawn})
    root = parse(svg)
    people = [e.get("data-person") for e in root.iter() if e.get("data-person")]
    assert sorted(map(int, people)) == members
    in_svg = {int(i) for e in root.iter() if e.get("data-rel") for i in e.get("data-rel", "").split()}
    assert shown <= in_svg


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_layout_invariants_over_generated_families(net: Network) -> None:
    check_invariants(net, genogram_layout(net, TODAY), TODAY)


# Each part is a generated family that passes the record's checks (impossible
# ones are filtered out); with two to six parts per example the rejections
# compound, so Hypothesis's filter_too_much health check can trip on a run
# without anything being wrong: the invariants are checked on every accepted one.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(st.lists(networks(), min_size=2, max_size=6), st.integers(2, 4))
def test_layout_invariants_over_generated_extended_families(parts: list[Network], fanout: int) -> None:
    net = extended_family(parts, fanout=fanout)
    check_invariants(net, genogram_layout(net, TODAY), TODAY)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(3, 30))
def test_layout_invariants_over_synthetic_families(seed: int, size: int) -> None:
    net = synthetic_network(seed, size)
    check_invariants(net, genogram_layout(net, SYNTHETIC_TODAY), SYNTHETIC_TODAY)


def test_a_large_extended_family_keeps_the_invariants() -> None:
    net = extended_family([synthetic_network(seed, 10) for seed in range(40)])
    g = genogram_layout(net, SYNTHETIC_TODAY)
    assert g.rows >= 5
    check_invariants(net, g, SYNTHETIC_TODAY)


def test_the_same_family_gives_the_same_drawing() -> None:
    net = complete_family().network()
    first = genogram_svg(genogram_layout(net, TODAY), title="t", description="d")
    assert genogram_svg(genogram_layout(net, TODAY), title="t", description="d") == first


# -- symbols ----------------------------------------------------------------------


def _one_family() -> tuple[FamilyBuilder, dict[str, int]]:
    b = FamilyBuilder()
    ids = {
        "amy": b.baby("Amy", "Brook", sex=Sex.FEMALE),
        "sarah": b.adult("Sarah", "Brook", sex=Sex.FEMALE),
        "dad": b.person("", "", name_absent_reason="mother does not say", sex=Sex.MALE),
        "kit": b.adult("Kit", "Lowe", sex=Sex.OTHER),
        "gran": b.adult("Jean", "Brook", age=70, sex=Sex.FEMALE, death_date=TODAY - timedelta(days=400)),
        "due": b.unborn(due_in_days=40),
    }
    b.relate(ids["sarah"], BIRTH_MOTHER, ids["amy"])
    b.relate(ids["dad"], BIRTH_FATHER, ids["amy"])
    b.relate(ids["sarah"], BIRTH_MOTHER, ids["due"])
    b.relate(ids["gran"], BIRTH_MOTHER, ids["sarah"])
    b.relate(ids["sarah"], "DOMPART", ids["kit"])
    return b, ids


def test_symbols_follow_the_genogram_conventions() -> None:
    b, ids = _one_family()
    g = genogram_layout(b.build(), TODAY)
    s = {name: g.symbol(pid) for name, pid in ids.items()}
    assert s["amy"].shape is Shape.CIRCLE and s["amy"].index
    assert s["sarah"].shape is Shape.CIRCLE and not s["sarah"].index
    assert s["dad"].shape is Shape.SQUARE
    assert s["kit"].shape is Shape.DIAMOND
    assert (
        s["gran"].deceased
        and s["gran"].dates == f"b. {TODAY.year - 70} d. {(TODAY - timedelta(days=400)).year}"
    )
    due = TODAY + timedelta(days=40)
    assert s["due"].shape is Shape.TRIANGLE and s["due"].unborn and s["due"].due == due
    assert s["due"].dates == f"due {due.day} {due:%b %Y}"
    assert s["dad"].role_only and s["dad"].label == "Birth father, name not known"
    assert not s["sarah"].role_only
    # the rows: grandmother, then mother with her partner and the father, then the children
    assert s["gran"].row == 0
    assert s["sarah"].row == s["kit"].row == s["dad"].row == 1
    assert s["amy"].row == s["due"].row == 2


def test_the_svg_draws_each_symbol_as_the_key_says() -> None:
    b, ids = _one_family()
    svg = genogram_svg(genogram_layout(b.build(), TODAY), title="t", description="d")
    root = parse(svg)
    person = {e.get("data-person"): e for e in root.iter() if e.get("data-person")}
    amy = person[str(ids["amy"])]
    assert len(amy.findall(f"{SVG}circle")) == 2  # double outline
    assert person[str(ids["dad"])].find(f"{SVG}rect").get("stroke-dasharray") == "5 3"  # type: ignore[union-attr]
    assert person[str(ids["gran"])].find(f"{SVG}path") is not None  # the cross
    assert person[str(ids["due"])].find(f"{SVG}polygon") is not None  # the triangle
    assert person[str(ids["kit"])].find(f"{SVG}polygon") is not None  # the diamond
    key = next(e for e in root.iter() if e.get("data-layer") == "key")
    words = " ".join(t.text or "" for t in key.iter(f"{SVG}text"))
    for phrase in (
        "Male",
        "Female",
        "Died",
        "Index child",
        "Unborn",
        "name not known",
        "Separated",
        "Divorced",
    ):
        assert phrase in words


# -- lines ------------------------------------------------------------------------


def _partnership(code: str, *, start: date | None = None, end: date | None = None, on: date = TODAY):  # type: ignore[no-untyped-def]
    b = FamilyBuilder()
    a = b.adult("Sam", "Hill", sex=Sex.MALE)
    c = b.adult("Ria", "Hill", sex=Sex.FEMALE)
    kid = b.baby("Ola", "Hill")
    b.relate(c, BIRTH_MOTHER, kid)
    b.relate(a, BIRTH_FATHER, kid)
    rid = b.relate(a, code, c, start=start, end=end)
    g = genogram_layout(b.build(), on)
    (p,) = [p for p in g.partnerships if rid in p.relationship_ids]
    return g, p


def test_partnership_lines_follow_the_conventions() -> None:
    assert (_partnership("SPS")[1].line, _partnership("SPS")[1].slashes) == (Line.SOLID, 0)
    assert _partnership("DOMPART")[1].line is Line.DASHED
    assert _partnership("SIGOTHR")[1].line is Line.DOTTED
    separated = _partnership("SPS", start=date(2015, 6, 1), end=date(2023, 1, 1))[1]
    assert (separated.slashes, separated.years) == (1, "2015 to 2023")
    assert "separated" in separated.words
    ended = _partnership("x-former-partner", end=date(2022, 3, 1))[1]
    assert (ended.slashes, ended.years) == (2, "ended 2022")
    g, p = _partnership("SPS")
    assert p.adjacent
    # the child hangs from the middle of its parents' line
    (link,) = g.children
    assert link.points[0] == ((p.points[0][0] + p.points[-1][0]) / 2, p.points[0][1])
    assert link.descent is Descent.BIRTH


def test_a_partnership_is_drawn_as_it_stood_on_the_date_given() -> None:
    """The layout reads no clock: a family as at an earlier date draws as it was then."""
    end = date(2024, 5, 1)
    before = _partnership("SPS", end=end, on=end - timedelta(days=1))[1]
    after = _partnership("SPS", end=end, on=end)[1]
    assert (before.slashes, after.slashes) == (0, 1)


def test_adoptive_foster_and_step_links_are_drawn_as_such() -> None:
    b = FamilyBuilder()
    mum = b.adult("Ria", "Hill", sex=Sex.FEMALE)
    step = b.adult("Sam", "Hill", sex=Sex.MALE)
    adopter = b.adult("Jo", "Park", sex=Sex.FEMALE)
    foster = b.adult("Lee", "Ford", sex=Sex.MALE)
    kid = b.baby("Ola", "Hill")
    adopted = b.baby("Tay", "Park", age_days=900)
    fostered = b.baby("Bo", "Ford", age_days=1200)
    b.relate(mum, BIRTH_MOTHER, kid)
    b.relate(mum, "DOMPART", step)
    r_step = b.relate(step, "STPFTH", kid)
    r_adopt = b.relate(adopter, "ADOPTM", adopted)
    r_foster = b.relate(foster, "x-foster-parent", fostered)
    g = genogram_layout(b.build(), TODAY)
    kinds = {c.relationship_ids: c.descent for c in g.children}
    assert kinds[(r_step,)] is Descent.STEP
    assert kinds[(r_adopt,)] is Descent.ADOPTIVE
    assert kinds[(r_foster,)] is Descent.FOSTER
    check_invariants(b.build(), g, TODAY)


def test_half_siblings_hang_from_different_partnership_lines() -> None:
    b = FamilyBuilder()
    mum = b.adult("Ria", "Hill", sex=Sex.FEMALE)
    ex = b.adult("Sam", "Ward", sex=Sex.MALE)
    new = b.adult("Tom", "Hale", sex=Sex.MALE)
    older = b.baby("Ola", "Ward", age_days=2000, index=False)
    baby = b.baby("Ivy", "Hale")
    b.relate(mum, "x-former-partner", ex)
    b.relate(mum, "SPS", new)
    for parent, child in ((mum, older), (ex, older), (mum, baby), (new, baby)):
        b.relate(parent, BIRTH_MOTHER if parent == mum else BIRTH_FATHER, child)
    g = genogram_layout(b.build(), TODAY)
    row = sorted((s for s in g.symbols if s.row == 0), key=lambda s: s.x)
    assert [s.person_id for s in row][1] == mum  # the mother between her partners
    starts = {c.child_id: c.points[0] for c in g.children}
    assert starts[older] != starts[baby]
    assert g.symbol(older).x < g.symbol(baby).x  # each under their own parents' line


def test_parents_with_no_relationship_recorded_are_joined_by_a_thin_line() -> None:
    b = FamilyBuilder()
    mum = b.adult("Ria", "Hill", sex=Sex.FEMALE)
    dad = b.adult("Sam", "Ward", sex=Sex.MALE)
    kid = b.baby("Ola", "Hill")
    b.relate(mum, BIRTH_MOTHER, kid)
    b.relate(dad, BIRTH_FATHER, kid)
    g = genogram_layout(b.build(), TODAY)
    (p,) = g.partnerships
    assert not p.recorded and p.relationship_ids == ()
    assert g.children[0].points[0][1] > g.symbol(mum).y  # hangs from the joining line


def test_households_and_care_away_from_home() -> None:
    f = complete_family()
    net = f.network()
    g = genogram_layout(net, TODAY)
    (home,) = g.households
    assert set(home.person_ids) == {f.amy, f.sarah}
    (arrow,) = g.care
    assert (arrow.carer_id, arrow.child_id, arrow.overnight) == (f.daniel, f.amy, True)
    svg = genogram_svg(g, title="t", description="d", household_labels={f.home: "4 Willow Close"})
    assert "overnight</text>" in svg and "4 Willow Close" in svg


def test_the_svg_escapes_every_text_and_links_people_and_gap_markers() -> None:
    b = FamilyBuilder()
    kid = b.baby('<script>alert("x")</script>', "O'Neil & Sons", sex=Sex.MALE)
    g = genogram_layout(b.build(), TODAY)
    svg = genogram_svg(
        g,
        title="Genogram of <Family> & co",
        description='a "quoted" description',
        person_links={kid: "/families/1/people/2/?a=1&b=2"},
        gap_markers={kid: GapMarker(3, "/families/1/#gap-9")},
        household_labels={},
    )
    assert "<script>" not in svg
    root = parse(svg)  # well formed
    (picture,) = [e for e in root.iter() if e.get("role") == "img"]
    title_id, desc_id = picture.get("aria-labelledby", "").split()
    # the links are not inside the image (its parts are presentational)
    assert not list(picture.iter(f"{SVG}a"))
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert ids[title_id].text == "Genogram of <Family> & co"
    assert ids[desc_id].text == 'a "quoted" description'
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == ["/families/1/people/2/?a=1&b=2", "/families/1/#gap-9"]
    assert links[1].find(f"{SVG}title").text.startswith("3 open critical gaps about")  # type: ignore[union-attr]


def test_an_unborn_only_family_and_an_empty_one() -> None:
    b = FamilyBuilder()
    b.unborn()
    g = genogram_layout(b.build(), TODAY)
    assert len(g.symbols) == 1 and g.symbols[0].unborn
    assert b.build().people[g.symbols[0].person_id].birth_date_accuracy is DateAccuracy.EXPECTED
    empty = genogram_layout(FamilyBuilder().build(), TODAY)
    assert empty.symbols == () and parse(genogram_svg(empty, title="t", description="d")) is not None
