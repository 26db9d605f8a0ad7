"""Join made-up families into one large extended family, for the genogram's
benchmark and property tests (every name in them is invented).

:func:`extended_family` renumbers each family's records so they do not clash,
then makes the eldest parent of each family (or the index child, where no
parent is recorded) a birth child of a new married couple, three families to
a couple, and those couples in turn children of older couples, until one
couple is at the top: a family tree of several generations with households,
care, partners past and present, and half and step siblings in it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from itertools import count

from ..model import Network, Person, Relationship
from ..vocab import BIRTH_FATHER, BIRTH_MOTHER, PARENT_CODES, Sex


def extended_family(parts: Sequence[Network], *, fanout: int = 3, name: str = "Extended family") -> Network:
    """One network holding every family in ``parts`` (their members; people of
    other networks are left out), joined under new ancestors ``fanout`` to a
    couple. Ids are renumbered; the index children are all the families' index
    children."""
    ids = count(1)
    people: dict[int, Person] = {}
    rels: list[Relationship] = []
    households, residences, care = {}, [], []
    index: list[int] = []
    tops: list[int] = []
    for part in parts:
        members = {p for p in part.people if part.is_member(p)}
        pid = {old: next(ids) for old in sorted(members)}
        hid = {old: next(ids) for old in sorted(part.households)}
        for old, new in pid.items():
            people[new] = dataclasses.replace(part.people[old], id=new)
        kept = [r for r in part.relationships if r.from_id in pid and r.to_id in pid]
        rels += [
            dataclasses.replace(r, id=next(ids), from_id=pid[r.from_id], to_id=pid[r.to_id]) for r in kept
        ]
        for old, new in hid.items():
            households[new] = dataclasses.replace(part.households[old], id=new)
        residences += [
            dataclasses.replace(r, id=next(ids), person_id=pid[r.person_id], household_id=hid[r.household_id])
            for r in part.residences
            if r.person_id in pid
        ]
        care += [
            dataclasses.replace(c, id=next(ids), carer_id=pid[c.carer_id], child_id=pid[c.child_id])
            for c in part.care
            if c.carer_id in pid and c.child_id in pid
        ]
        index += [pid[i] for i in part.index_child_ids if i in pid]
        tops.append(pid[_top(part, members)])

    generation = 0
    while len(tops) > 1:
        generation += 1
        parents = []
        for start in range(0, len(tops), fanout):
            mother, father = next(ids), next(ids)
            people[mother] = Person(mother, f"Ancestor {generation}", f"M{start}", sex=Sex.FEMALE)
            people[father] = Person(father, f"Ancestor {generation}", f"F{start}", sex=Sex.MALE)
            rels.append(Relationship(next(ids), mother, father, "SPS"))
            for child in tops[start : start + fanout]:
                rels.append(Relationship(next(ids), mother, child, BIRTH_MOTHER))
                rels.append(Relationship(next(ids), father, child, BIRTH_FATHER))
            parents.append(mother)
        tops = parents
    return Network(
        id=1,
        name=name,
        index_child_ids=tuple(index),
        people=people,
        relationships=tuple(rels),
        households=households,
        residences=tuple(residences),
        care=tuple(care),
    )


def _top(part: Network, members: set[int]) -> int:
    """The family's eldest generation: a member with no parent recorded who is
    a parent of someone (a woman first), else the first index child."""
    has_parent = {r.to_id for r in part.relationships if r.type in PARENT_CODES and r.from_id in members}
    is_parent = {r.from_id for r in part.relationships if r.type in PARENT_CODES and r.to_id in members}
    roots = sorted(
        (p for p in members if p in is_parent and p not in has_parent),
        key=lambda p: (part.people[p].sex is not Sex.FEMALE, p),
    )
    if roots:
        return roots[0]
    return next((i for i in part.index_child_ids if i in members), min(members))
