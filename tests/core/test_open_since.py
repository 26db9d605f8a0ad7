"""A gap's "open since": the day its requirement first applied, worked out from
the family's own dates (``kinmap.core.rules.open_since``)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Network
from kinmap.core.rules import SubjectKind, Unmet, evaluate
from kinmap.core.rules.open_since import OpenSince, OpenSinceBasis, open_since_all
from kinmap.core.rules.safety_info import R17, R18_PLACE
from kinmap.core.rules.synthetic import synthetic_network
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER
from tests.core.builders import SAID, TODAY, FamilyBuilder
from tests.core.strategies import networks


def since(network: Network, today: date = TODAY) -> tuple[list[Unmet], dict[str, OpenSince]]:
    gaps = evaluate(network, today)
    return gaps, open_since_all(FamilyGraph(network, today), gaps)


def about(gaps: list[Unmet], kind: SubjectKind, sid: int, rule: str = "") -> list[Unmet]:
    found = [u for u in gaps if u.subject.kind is kind and u.subject.id == sid]
    return [u for u in found if u.rule_id == rule] if rule else found


def test_a_childs_gaps_are_open_since_the_birth_not_the_day_they_were_loaded() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=200)  # no NHS number, no home: gaps about her
    gaps, opened = since(b.build())
    hers = about(gaps, SubjectKind.PERSON, baby) + about(gaps, SubjectKind.CHILD, baby)
    assert hers, "the child should have gaps"
    for u in hers:
        assert opened[u.key] == OpenSince(
            TODAY - timedelta(days=200), OpenSinceBasis.FAMILY_DATES, "the birth of Amy Brook"
        )


def test_a_care_arrangement_is_open_since_the_care_began() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=100)
    gran = b.adult("Jean", "Brook", age=60)
    began = TODAY - timedelta(days=40)
    care = b.care(gran, baby, overnight=True, start=began)  # where the baby sleeps not said
    gaps, opened = since(b.build())
    (u,) = about(gaps, SubjectKind.CARE, care, R18_PLACE)
    assert (opened[u.key].on, opened[u.key].basis) == (began, OpenSinceBasis.FAMILY_DATES)


def test_icon_is_open_since_it_was_due() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=100)
    gran = b.adult("Jean", "Brook", age=60)
    b.care(gran, baby, overnight=True, start=TODAY - timedelta(days=60))  # when the baby was 40 days old
    gaps, opened = since(b.build())
    (u,) = about(gaps, SubjectKind.PERSON, gran, R17)
    # due by the time the baby is 14 days old, or from the day a new carer starts if later
    due = OpenSince(TODAY - timedelta(days=60), OpenSinceBasis.FAMILY_DATES, "the day ICON was due")
    assert opened[u.key] == due

    b2 = FamilyBuilder()
    baby2 = b2.baby("Amy", "Brook", age_days=100)
    gran2 = b2.adult("Jean", "Brook", age=60)
    b2.care(gran2, baby2, overnight=True, start=TODAY - timedelta(days=100))  # from the birth
    gaps2, opened2 = since(b2.build())
    (u2,) = about(gaps2, SubjectKind.PERSON, gran2, R17)
    assert opened2[u2.key].on == TODAY - timedelta(days=100 - 14)


def test_a_birth_parents_relationship_is_open_since_the_childs_birth() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=30)
    dad = b.person("", "", name_absent_reason="not given")
    rel = b.relate(dad, BIRTH_FATHER, baby, sourced=False)
    gaps, opened = since(b.build())
    assert about(gaps, SubjectKind.PERSON, dad)
    # the father (no date of birth) and the relationship: from the child's birth
    for u in about(gaps, SubjectKind.RELATIONSHIP, rel):
        assert opened[u.key].on == TODAY - timedelta(days=30)
    # and his own gaps (no date of his): a birth father from her birth
    for u in about(gaps, SubjectKind.PERSON, dad):
        assert opened[u.key].on == TODAY - timedelta(days=30)


def test_an_adult_is_open_since_they_joined_the_household() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=300)
    home = b.household()
    b.lives_at(baby, home, start=TODAY - timedelta(days=300))
    lodger = b.adult("Tom", "Hale", age=35, complete=False)
    moved_in = TODAY - timedelta(days=20)
    b.lives_at(lodger, home, start=moved_in)
    gaps, opened = since(b.build())
    his = about(gaps, SubjectKind.PERSON, lodger)
    assert his
    for u in his:
        assert (opened[u.key].on, opened[u.key].because) == (moved_in, "the day Tom Hale joined the family")


def test_where_the_familys_dates_do_not_tell_it_is_the_day_recorded_and_says_so() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=300)
    mum = b.adult("Sarah", "Brook")
    b.relate(mum, BIRTH_MOTHER, baby)
    # her partner: no date of birth, no start dates: nothing dates his part in the family
    partner = b.person("Tom", "Hale", provenance={"birth_date": SAID})
    b.relate(mum, "SPS", partner)
    gaps, opened = since(b.build())
    his = about(gaps, SubjectKind.PERSON, partner)
    assert his
    for u in his:
        assert opened[u.key] == OpenSince(
            date(2025, 3, 1), OpenSinceBasis.RECORDED, "the day it was recorded"
        )


def test_never_after_today_nor_before_the_subject_began() -> None:
    b = FamilyBuilder()
    baby = b.baby("Amy", "Brook", age_days=10)
    gran = b.adult("Jean", "Brook", age=60)
    # a start recorded before the baby was born (a slip): not before the birth
    care = b.care(gran, baby, overnight=True, start=TODAY - timedelta(days=400))
    gaps, opened = since(b.build())
    (u,) = about(gaps, SubjectKind.CARE, care, R18_PLACE)
    assert opened[u.key].on == TODAY - timedelta(days=10)


# -- the property ---------------------------------------------------------------


def _could_first_apply(network: Network, u: Unmet) -> date | None:
    """The earliest day the gap's requirement could apply, worked out here
    independently: not before anyone the subject is about was born, nor before
    the record it is about started."""
    net = network
    sid = u.subject.id

    def born(pid: int) -> date | None:
        p = net.people.get(pid)
        return None if p is None or p.unborn else p.birth_date

    days: list[date | None] = []
    if u.subject.kind in (SubjectKind.PERSON, SubjectKind.CHILD):
        days = [born(int(sid))]
    elif u.subject.kind is SubjectKind.CARE:
        c = next(c for c in net.care if c.id == sid)
        days = [born(c.carer_id), born(c.child_id), c.start]
    elif u.subject.kind is SubjectKind.RELATIONSHIP:
        r = next(r for r in net.relationships if r.id == sid)
        days = [born(r.from_id), born(r.to_id), r.start]
    elif u.subject.kind is SubjectKind.RESIDENCE:
        res = next(r for r in net.residences if r.id == sid)
        days = [born(res.person_id), res.start]
    elif u.subject.kind is SubjectKind.RESPONSIBILITY:
        pr = next(p for p in net.parental_responsibility if p.id == sid)
        days = [born(pr.person_id), born(pr.child_id), pr.start]
    known = [d for d in days if d is not None]
    return max(known) if known else None


@st.composite
def dated_networks(draw: st.DrawFn) -> Network:
    """The generated families of ``tests.core.strategies`` with start dates on
    some of their care, homes, relationships and parental responsibility (some
    before a birth, as slips in a record are), or a synthetic family."""
    if draw(st.booleans()):
        return synthetic_network(draw(st.integers(0, 10_000)), size=draw(st.integers(3, 10)), today=TODAY)
    net = draw(networks())
    day = st.one_of(st.none(), st.integers(0, 20 * 365).map(lambda n: TODAY - timedelta(days=n)))

    def dated(items: tuple) -> tuple:  # type: ignore[type-arg]
        return tuple(dataclasses.replace(x, start=draw(day)) for x in items)

    return dataclasses.replace(
        net,
        care=dated(net.care),
        residences=dated(net.residences),
        relationships=dated(net.relationships),
        parental_responsibility=dated(net.parental_responsibility),
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dated_networks())
def test_open_since_never_precedes_the_day_the_requirement_could_first_apply(network: Network) -> None:
    today = TODAY
    gaps, opened = since(network, today)
    assert set(opened) == {u.key for u in gaps}
    for u in gaps:
        found = opened[u.key]
        if found.on is None:
            assert found.basis is OpenSinceBasis.NOT_KNOWN
            continue
        assert found.on <= today, u.key
        earliest = _could_first_apply(network, u)
        if earliest is not None:
            assert found.on >= min(earliest, today), (u.key, found, earliest)
