"""A cycle in the parent links is reported once, on the link that closes it."""

from __future__ import annotations

from datetime import date

from kinmap.core.model import Network, Person, Relationship
from kinmap.core.validation import Problem, network_problems

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
