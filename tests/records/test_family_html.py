"""The family page's repeated rows, written in Python (kinmap.records.family_html),
are the text the template loops they replaced gave, byte for byte: each loop
(kept in family_loops.html) and its function are given the same rows, with
every branch taken and text that needs escaping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from kinmap.carers.presenters import CarerLine, CheckLine, GivenLine
from kinmap.carers.templatetags.carers import carer_rows
from kinmap.records import family_html
from kinmap.records.presenters import ChildSection, PersonLine

LOOPS_FILE = Path(__file__).with_name("family_loops.html")
NASTY = 'O\'Brien & <Sons> "quoted"'


def _loops() -> dict[str, str]:
    text = LOOPS_FILE.read_text()
    out = {}
    for chunk in text.split("\n#loop ")[1:]:
        name, _, body = chunk.partition("\n")
        out[name] = body.removesuffix("\n")
    return out


LOOPS = _loops()


def _template(name: str, context: dict[str, Any]) -> str:
    return engines["django"].from_string(LOOPS[name]).render(context)


def _person(n: int, *, full: bool) -> PersonLine:
    return PersonLine(
        id=n,
        name=f"{NASTY} {n}",
        description=f"birth mother of {NASTY}",
        age="about 7 years old",
        phone="07700 900 123 <ext>" if full else "",
        outside=full,
        other_names="previously Smith & Co" if full else "",
        elsewhere=f"Also recorded in 1 other family network, known to {NASTY}" if full else "",
        url=f"/families/3/people/{n}/",
        ask_url=f"/families/3/requests/new/{n}/?a=1&b=2",
    )


def _section(sid: int) -> ChildSection:
    sec = ChildSection(id=sid, name=NASTY, age="4 years old", url="/families/3/people/9/")
    sec.groups = [
        ("lives-with", "Lives with <them>", [_person(1, full=True), _person(2, full=False)], "Nobody"),
        ("lives-elsewhere", "Lives elsewhere", [], f"Nobody recorded. Ask {NASTY}."),
        ("significant", "Significant", [_person(3, full=False)], "Nobody & nobody"),
    ]
    return sec


def _care(changeable: bool, full: bool) -> dict[str, Any]:
    return {
        "id": 11 if full else 12,
        "carer": NASTY,
        "child": "Amy <A>",
        "place": "At the carer's home",
        "frequency": "Every weekend & holidays" if full else "Not recorded",
        "overnight": full,
        "supervised": full,
        "sleep_place": "In a cot <upstairs>" if full else "",
        "since": "About March 2019",
        "end": "1 May 2024" if full else "",
        "source": f"Said by {NASTY} · recorded by hv on 3 March 2026",
        "changeable": changeable,
        "url": "/families/3/care/11/",
    }


def _household(changeable: bool, masked: bool) -> dict[str, Any]:
    stay = {
        "name": NASTY,
        "words": "Lives here since about 2019 & more",
        "changeable": changeable,
        "url": "/families/3/households/stays/4/",
    }
    return {
        "id": 21 if masked else 22,
        "address": "Address withheld" if masked else "1 High St, <Town> & Co",
        "masked": masked,
        "stays": [stay, {**stay, "name": "Second", "changeable": not changeable}],
        "changeable": changeable,
        "url": "/families/3/households/21/address/",
    }


def _relationship(changeable: bool, dates: str) -> dict[str, Any]:
    return {
        "sentence": f"{NASTY} is the birth father of Amy <A>",
        "dates": dates,
        "source": "Source not recorded",
        "changeable": changeable,
        "edit_url": "/families/3/relationships/5/",
        "remove_url": "/families/3/relationships/5/remove/",
    }


def _pr(now: str, changeable: bool, dates: str) -> dict[str, Any]:
    return {
        "person": NASTY,
        "child": "Amy <A>",
        "basis": "Mother (birth) & more",
        "dates": dates,
        "now": now,
        "changeable": changeable,
        "url": "/families/3/pr/6/",
    }


def _order(now: str, changeable: bool, full: bool) -> dict[str, Any]:
    return {
        "authority": "Leeds & <District>",
        "child": "Amy <A>",
        "sentence": f"{NASTY} shares parental responsibility",
        "dates": "Since 4 May 2020" if full else "",
        "now": now,
        "source": "Court order <ref>" if full else "",
        "changeable": changeable,
        "url": "/families/3/care-orders/7/",
    }


def _carer(n: int, *, given: list[GivenLine], missing: list[str], unmet: list[CheckLine]) -> CarerLine:
    return CarerLine(
        person_id=n,
        name=f"{NASTY} {n}",
        child_id=9,
        child_name="Amy <A>",
        description="grandmother",
        lives_elsewhere=n % 2 == 0,
        overnight=n % 4 == 0,
        given=given,
        missing=missing,
        unmet=unmet,
    )


def _carers() -> list[CarerLine]:
    day = date(2025, 3, 4)
    given = [
        GivenLine(day, "Safe sleep <leaflet> & more", "in person", "hv", declined=False, reason=""),
        GivenLine(day, "Declined one", "in person", "hv", declined=True, reason="no"),
    ]
    check = CheckLine("R1", "critical", "govuk-tag--red", "Checks & <references>", "t", "w", "y")
    return [
        _carer(1, given=given, missing=["Date of birth", "Address & <postcode>"], unmet=[check]),
        _carer(2, given=[], missing=[], unmet=[check]),
        _carer(4, given=given[1:], missing=[], unmet=[]),
    ]


class _Network:
    pk = 3


CASES: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
    ("groups", family_html.child_groups_html, {"sec": _section(9), "editable": True}),
    ("groups", family_html.child_groups_html, {"sec": _section(10), "editable": False}),
    ("groups", family_html.child_groups_html, {"sec": ChildSection(1, "A", "1", "/"), "editable": True}),
    ("care", family_html.care_html, {"care": [_care(True, True), _care(False, False)]}),
    ("care", family_html.care_html, {"care": []}),
    (
        "households",
        family_html.households_html,
        {"households": [_household(True, True), _household(False, False)]},
    ),
    ("households", family_html.households_html, {"households": []}),
    (
        "relationships",
        family_html.relationships_html,
        {"relationships": [_relationship(True, "Since 2019 <about>"), _relationship(False, "")]},
    ),
    ("relationships", family_html.relationships_html, {"relationships": []}),
    (
        "pr",
        family_html.pr_html,
        {"pr": [_pr("Now", True, "Since 2019"), _pr("Ended", False, ""), _pr("Not yet", True, "")]},
    ),
    (
        "care_orders",
        family_html.care_orders_html,
        {
            "care_orders": [
                _order("Now", True, True),
                _order("Ended", False, False),
                _order("Now", False, True),
            ]
        },
    ),
]


CARERS = [
    {"network": _Network(), "lines": _carers(), "multiple_children": True},
    {"network": _Network(), "lines": _carers(), "multiple_children": False},
    {"network": _Network(), "lines": [], "multiple_children": False},
]


@pytest.mark.parametrize(("loop", "write", "context"), CASES)
def test_rows_written_in_python_are_the_template_loops_text(
    loop: str, write: Callable[..., Any], context: dict[str, Any]
) -> None:
    expected = _template(loop, context)
    assert write(*context.values()) == expected


@pytest.mark.parametrize("context", CARERS)
def test_carer_rows_written_in_python_are_the_template_loops_text(context: dict[str, Any]) -> None:
    expected = _template("carers", context)
    assert carer_rows(3, context["lines"], context["multiple_children"]) == expected


def test_text_already_safe_is_written_as_it_is_and_the_rest_escaped() -> None:
    sec = _section(9)
    sec.groups[0][2][0].description = mark_safe("<em>kept</em>")
    context = {"sec": sec, "editable": True}
    written = family_html.child_groups_html(sec, True)
    assert written == _template("groups", context)
    assert "<em>kept</em>" in written
    assert "O&#x27;Brien &amp; &lt;Sons&gt; &quot;quoted&quot;" in written
    assert "<Sons>" not in written


def test_every_loop_kept_is_compared() -> None:
    compared = {loop for loop, _, _ in CASES} | {"carers"}
    assert compared == set(LOOPS)
    assert set(LOOPS) == {"groups", "care", "households", "relationships", "pr", "care_orders", "carers"}
