"""A cycle in the parent and grandparent links is reported once, on the link
that closes it; a birth parent too young to be one is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinmap.core.model import Network, Person, Relationship
from kinmap.core.validation import Problem, network_problems
from kinmap.core.vocab import DateAccuracy

TODAY = date(2026, 3, 1)


def _network(*rels: Relationship) -> Network:
    people = {i: Person(id=i, given_name=f"P{i}") for i in range(1, 6)}
    return Network(id=1, name="", index_child_ids=(1,), people=people, relationships=rels)


def test_own_grandparent_is_reported_once_on_the_newest_link() -> None:
    net = _network(
        Relationship(10, 2, 1, "NMTH"),  # 2 is mother of 1
        Relationship(11, 3, 2, "NMTH"),  # 3 is mother of 2
        Relationship(12, 1, 3, "NFTH"),  # 1 as father of 3: a cycle
    )
    assert network_problems(net, TODAY) == [
        Problem("relationship", 12, "to", "A person cannot be their own parent or ancestor")
    ]


def test_two_separate_cycles_are_each_reported() -> None:
    net = _network(
        Relationship(10, 2, 1, "NMTH"),
        Relationship(11, 1, 2, "STPFTH"),
        Relationship(12, 4, 3, "NMTH"),
        Relationship(13, 3, 4, "ADOPTF"),
    )
    assert [p.record_id for p in network_problems(net, TODAY)] == [11, 13]


def test_a_family_tree_without_cycles_has_no_problem() -> None:
    net = _network(
        Relationship(10, 2, 1, "NMTH"),
        Relationship(11, 3, 1, "NFTH"),
        Relationship(12, 4, 2, "NMTH"),
        Relationship(13, 4, 3, "GRPRN"),
    )
    assert network_problems(net, TODAY) == []


# -- any mix of parent and grandparent links --------------------------------


@pytest.mark.parametrize(
    "links",
    [
        # 2 is mother of 1; 1 recorded as grandparent of their own mother
        (Relationship(10, 2, 1, "NMTH"), Relationship(11, 1, 2, "GRPRN")),
        # grandparent links only
        (Relationship(9, 3, 1, "GRPRN"), Relationship(10, 5, 3, "GRPRN"), Relationship(11, 1, 5, "GRPRN")),
        # 3 is grandparent of 1, 1 adopted 4, and 4 as stepfather of 3
        (Relationship(9, 3, 1, "GRPRN"), Relationship(10, 1, 4, "ADOPTM"), Relationship(11, 4, 3, "STPFTH")),
    ],
    ids=["grandparent-of-own-mother", "grandparents-only", "mixed"],
)
def test_any_mix_of_parent_and_grandparent_links_closing_a_cycle_is_refused(
    links: tuple[Relationship, ...],
) -> None:
    assert network_problems(_network(*links), TODAY) == [
        Problem("relationship", 11, "to", "A person cannot be their own parent or ancestor")
    ]


def test_a_father_of_a_young_mother_and_of_her_baby_is_recordable() -> None:
    """Unusual but real: he is the baby's father and grandfather, never its descendant."""
    people = {
        1: Person(id=1, given_name="Baby", birth_date=date(2026, 1, 5), birth_date_accuracy=ACC),
        2: Person(id=2, given_name="Mother", birth_date=date(2011, 4, 2), birth_date_accuracy=ACC),
        3: Person(id=3, given_name="Man", birth_date=date(1980, 6, 9), birth_date_accuracy=ACC),
    }
    net = Network(
        id=1,
        name="",
        index_child_ids=(1,),
        people=people,
        relationships=(
            Relationship(10, 2, 1, "NMTH"),
            Relationship(11, 3, 2, "NFTH"),
            Relationship(12, 3, 1, "NFTH"),
            Relationship(13, 3, 1, "GRPRN"),
        ),
    )
    assert network_problems(net, TODAY) == []


# -- impossible ages --------------------------------------------------------

ACC, EST, EXP = DateAccuracy.ACCURATE, DateAccuracy.ESTIMATED, DateAccuracy.EXPECTED


def _parent_and_child(
    parent_born: date, child_born: date, *, parent_acc: DateAccuracy = ACC, child_acc: DateAccuracy = ACC
) -> Network:
    people = {
        1: Person(
            id=1, given_name="Kit", family_name="Lowe", birth_date=child_born, birth_date_accuracy=child_acc
        ),
        2: Person(
            id=2,
            given_name="Lena",
            family_name="Lowe",
            birth_date=parent_born,
            birth_date_accuracy=parent_acc,
        ),
    }
    return Network(
        id=1, name="", index_child_ids=(1,), people=people, relationships=(Relationship(10, 2, 1, "NMTH"),)
    )


def test_a_birth_parent_younger_than_10_at_the_birth_is_refused_with_the_age() -> None:
    net = _parent_and_child(date(2016, 5, 1), date(2026, 2, 1))
    assert network_problems(net, TODAY) == [
        Problem(
            "relationship",
            10,
            "from",
            "Lena Lowe was 9 at the birth of Kit Lowe: a birth parent cannot be younger than 10. "
            "Check both dates of birth",
        )
    ]


def test_a_birth_parent_of_10_or_more_is_allowed() -> None:
    assert network_problems(_parent_and_child(date(2016, 2, 1), date(2026, 2, 1)), TODAY) == []
    assert network_problems(_parent_and_child(date(2012, 5, 1), date(2026, 2, 1)), TODAY) == []


def test_an_estimated_date_of_birth_is_refused_on_age_only_beyond_its_tolerance() -> None:
    # "about" is a year either side (kinmap.core.dates): born about October 2016,
    # she can have been 10 on 1 February 2026
    net = _parent_and_child(date(2016, 10, 1), date(2026, 2, 1), parent_acc=EST)
    assert network_problems(net, TODAY) == []
    net = _parent_and_child(date(2016, 10, 1), date(2026, 2, 1), child_acc=EST)
    assert network_problems(net, TODAY) == []
    # born about May 2017: at most 9, under every reading
    [problem] = network_problems(_parent_and_child(date(2017, 5, 1), date(2026, 2, 1), parent_acc=EST), TODAY)
    assert problem.message.startswith("Lena Lowe was at most 9 at the birth of Kit Lowe")


def test_an_unborn_baby_is_measured_at_the_latest_the_birth_can_be() -> None:
    # due 1 April 2026; she turns 10 on 1 May 2026, within six weeks of the date
    assert network_problems(_parent_and_child(date(2016, 5, 1), date(2026, 4, 1), child_acc=EXP), TODAY) == []
    [problem] = network_problems(_parent_and_child(date(2016, 6, 1), date(2026, 4, 1), child_acc=EXP), TODAY)
    assert problem.message.startswith("Lena Lowe would be 9 at the birth of Kit Lowe")


# -- property: a consistent birth history is never refused ------------------


@st.composite
def birth_histories(draw: st.DrawFn) -> Network:
    """People born one after another; each later person may have a birth mother,
    a birth father and other parent links from people at least 14 years older,
    and grandparent links from their parents' parents (or anyone 28 years older)."""
    n = draw(st.integers(2, 12))
    gaps = draw(st.lists(st.integers(0, 40 * 365), min_size=n, max_size=n))
    born: list[date] = []
    day = date(1930, 1, 1)
    for g in gaps:
        day = day + timedelta(days=g)
        born.append(day)
    if born[-1] > TODAY:
        shift = born[-1] - TODAY
        born = [b - shift for b in born]
    people = {
        i + 1: Person(id=i + 1, given_name=f"P{i + 1}", birth_date=b, birth_date_accuracy=ACC)
        for i, b in enumerate(born)
    }
    rels: list[Relationship] = []
    parents: dict[int, list[int]] = {}
    for child in people:
        older = [p for p in people if (born[child - 1] - born[p - 1]).days >= 14 * 366]
        if not older:
            continue
        chosen = draw(st.lists(st.sampled_from(older), max_size=3, unique=True))
        codes = ["NMTH", "NFTH", "ADOPTM", "STPFTH", "x-foster-parent"]
        for k, p in enumerate(chosen):
            rels.append(
                Relationship(
                    len(rels) + 100, p, child, codes[k] if k < 2 else draw(st.sampled_from(codes[2:]))
                )
            )
            parents.setdefault(child, []).append(p)
        for p in chosen:
            for gp in parents.get(p, []):
                if draw(st.booleans()):
                    rels.append(Relationship(len(rels) + 100, gp, child, "GRPRN"))
    order = draw(st.permutations(rels))
    return Network(id=1, name="", index_child_ids=(len(people),), people=people, relationships=tuple(order))


@settings(max_examples=200, deadline=None)
@given(birth_histories())
def test_the_kinship_check_never_refuses_a_consistent_birth_history(net: Network) -> None:
    assert [p for p in network_problems(net, TODAY) if p.record == "relationship"] == []
