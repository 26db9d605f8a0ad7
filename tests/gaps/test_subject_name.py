"""Whom a gap is about, in words: never the name of someone recorded only in
another family network (a user of this one may not see that network)."""

from __future__ import annotations

from kinmap.core.model import CareArrangement, Network, Person, Relationship
from kinmap.gaps.services import subject_name


def _network() -> Network:
    people = {
        1: Person(id=1, given_name="Alfie", family_name="Stone"),
        2: Person(id=2, given_name="Kerry", family_name="Stone"),
        3: Person(id=3, given_name="Outsider", family_name="Canary"),
    }
    return Network(
        id=10,
        name="Stone",
        index_child_ids=(1,),
        people=people,
        relationships=(
            Relationship(id=20, from_id=2, to_id=1, type="NMTH"),
            Relationship(id=21, from_id=3, to_id=2, type="PRTNR"),
        ),
        care=(CareArrangement(id=30, carer_id=3, child_id=1),),
        outside_ids=frozenset({3}),
    )


def test_members_are_named() -> None:
    net = _network()
    assert subject_name(net, "person", "2") == "Kerry Stone"
    assert subject_name(net, "relationship", "20") == "Kerry Stone and Alfie Stone"


def test_someone_only_in_another_network_is_never_named() -> None:
    net = _network()
    words = [
        subject_name(net, "person", "3"),
        subject_name(net, "relationship", "21"),
        subject_name(net, "care", "30"),
    ]
    assert all("Outsider" not in w and "Canary" not in w for w in words), words
    assert words[1] == "someone in another family network and Kerry Stone"
