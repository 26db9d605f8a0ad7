"""Golden files of the genogram SVG for the demo families, and for a family
with twins and a bereavement, drawn for a user who may not see masked details.

The demo families are loaded as ``kinmap demo`` loads them (their dates moved
to today), then every date in the loaded network is moved back by the same
number of days to a fixed day (``GOLDEN_DAY``) and the network drawn as it
stands on that day, so the drawings do not change with the date the tests
run. Database ids (which
differ between SQLite and PostgreSQL runs) are replaced by numbers in order
of appearance.

To regenerate the files after a deliberate change to the drawing, run

    KINMAP_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/genogram/test_golden.py

and look at the changed files (``git diff tests/genogram/golden``) before
committing them.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.core.genogram import genogram_layout
from kinmap.core.genogram.svg import genogram_svg
from kinmap.core.model import Network
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, Sex
from kinmap.genogram.presenters import describe, genogram_picture
from kinmap.records import models as m
from kinmap.records.demo_setup import demo_load
from kinmap.records.selectors import family_record_load
from kinmap.web.masking import MASKED_TEXT
from tests.core.builders import FamilyBuilder

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_DAY = date(2026, 1, 12)
REGENERATE = os.environ.get("KINMAP_REGENERATE_GOLDEN") == "1"

DEMO = {
    "seed-family": "Family of Alfie Renshaw",
    "blended-family": "Family of Isla Hale",
    "unborn-baby": "Family of baby Nowak (unborn)",
    "refuge-masked-address": "Family of Amelia Grant",
    "grandparents-day-care": "Family of Freddie Walsh",
}

_ID = re.compile(
    r'(data-(?:person|person-link|child|gaps-for|rel|partners|care|household))="([\d ]*)"'
    r"|/families/(\d+)/people/(\d+)/"
)
_KIND = {
    "person": "p",
    "person-link": "p",
    "child": "p",
    "gaps-for": "p",
    "partners": "p",
    "rel": "r",
    "care": "c",
    "household": "h",
}


def normalise(svg: str) -> str:
    """The SVG with database ids replaced by their order of first appearance."""
    seen: dict[tuple[str, str], int] = {}

    def token(kind: str, number: str) -> str:
        return f"{kind}{seen.setdefault((kind, number), len([k for k in seen if k[0] == kind]) + 1)}"

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            kind = _KIND[match.group(1).removeprefix("data-")]
            numbers = " ".join(token(kind, n) for n in match.group(2).split())
            return f'{match.group(1)}="{numbers}"'
        return f"/families/{token('n', match.group(3))}/people/{token('p', match.group(4))}/"

    return _ID.sub(replace, svg)


def check_golden(name: str, svg: str) -> None:
    path = GOLDEN / f"{name}.svg"
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(svg)
    assert path.exists(), f"no golden file {path}: run with KINMAP_REGENERATE_GOLDEN=1"
    assert svg == path.read_text(), f"{name}: the drawing changed (see the module docstring to regenerate)"


@pytest.fixture
def demo(db: None, settings: Any) -> User:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load(today=timezone.localdate())
    return User.objects.get(username="health.visitor")  # not entitled to masked details


def _moved(d: date | None, delta: timedelta) -> date | None:
    return d + delta if d is not None else None


def on_golden_day(net: Network) -> Network:
    """The network with every date it holds moved from today to ``GOLDEN_DAY``."""
    delta = GOLDEN_DAY - timezone.localdate()

    def dated(row: Any, *fields: str) -> Any:
        return dataclasses.replace(row, **{f: _moved(getattr(row, f), delta) for f in fields})

    return dataclasses.replace(
        net,
        people={
            pid: dated(p, "birth_date", "death_date", "seen_directly_on") for pid, p in net.people.items()
        },
        relationships=tuple(dated(r, "start", "end") for r in net.relationships),
        residences=tuple(dated(r, "start", "end") for r in net.residences),
        care=tuple(dated(c, "start", "end") for c in net.care),
        parental_responsibility=tuple(dated(x, "start") for x in net.parental_responsibility),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(DEMO))
def test_demo_family_genogram_matches_its_golden_file(demo: User, name: str) -> None:
    network = m.FamilyNetwork.objects.get(name=DEMO[name])
    net = on_golden_day(family_record_load(network).graph_network)
    picture = genogram_picture(network.pk, net, demo, GOLDEN_DAY)
    check_golden(name, normalise(picture.svg))


@pytest.mark.django_db
def test_the_refuge_genogram_draws_the_household_but_not_its_masked_address(demo: User) -> None:
    network = m.FamilyNetwork.objects.get(name=DEMO["refuge-masked-address"])
    net = on_golden_day(family_record_load(network).graph_network)
    svg = genogram_picture(network.pk, net, demo, GOLDEN_DAY).svg
    assert "data-household=" in svg and MASKED_TEXT in svg
    for detail in ("Cedar House", "Cedar Lane", "Northfield", "ZZ99 9RF"):
        assert detail not in svg


def twins_and_bereavement() -> FamilyBuilder:
    """Made up: twins Poppy and Rose, born together, live with their mother
    Leah and her husband Owen. Rose died at three weeks old. Leah's father
    Graham died last year; her mother Carol looks after the twins' older
    brother Jack, Leah's son by her former partner Dean, on Saturdays overnight."""
    b = FamilyBuilder(today=GOLDEN_DAY)
    home, gran_home = b.household("1 Example Row"), b.household("2 Example Row")
    twins_born = GOLDEN_DAY - timedelta(days=70)
    poppy = b.baby("Poppy", "Marsh", age_days=70, sex=Sex.FEMALE)
    rose = b.baby("Rose", "Marsh", age_days=70, sex=Sex.FEMALE, death_date=twins_born + timedelta(days=21))
    jack = b.baby("Jack", "Dunn", age_days=5 * 365, sex=Sex.MALE, index=False)
    leah = b.adult("Leah", "Marsh", age=31, sex=Sex.FEMALE)
    owen = b.adult("Owen", "Marsh", age=33, sex=Sex.MALE)
    dean = b.adult("Dean", "Dunn", age=34, sex=Sex.MALE)
    carol = b.adult("Carol", "Hughes", age=62, sex=Sex.FEMALE)
    graham = b.adult("Graham", "Hughes", age=66, sex=Sex.MALE, death_date=GOLDEN_DAY - timedelta(days=300))
    b.relate(carol, "SPS", graham, start=date(1988, 6, 4))
    b.relate(carol, BIRTH_MOTHER, leah)
    b.relate(graham, BIRTH_FATHER, leah)
    b.relate(leah, "x-former-partner", dean, start=date(2018, 1, 1), end=date(2021, 9, 1))
    b.relate(leah, "SPS", owen, start=date(2023, 8, 19))
    for child, father in ((poppy, owen), (rose, owen), (jack, dean)):
        b.relate(leah, BIRTH_MOTHER, child)
        b.relate(father, BIRTH_FATHER, child)
    for pid in (poppy, leah, owen, jack):
        b.lives_at(pid, home)
    b.lives_at(carol, gran_home)
    b.care(carol, jack, overnight=True, frequency="Saturday nights")
    return b


def test_twins_and_bereavement_genogram_matches_its_golden_file() -> None:
    net = twins_and_bereavement().build()
    g = genogram_layout(net, GOLDEN_DAY)
    svg = genogram_svg(g, title="Genogram of the Marsh family", description=describe(g, net))
    twins = sorted((s for s in g.symbols if s.label in ("Poppy Marsh", "Rose Marsh")), key=lambda s: s.x)
    assert [s.deceased for s in twins] in ([False, True], [True, False])
    assert twins[1].x - twins[0].x == 140  # side by side, hanging from their parents' line
    check_golden("twins-and-bereavement", normalise(svg))
