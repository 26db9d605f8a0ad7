"""What a family network's record shows of its members' places in other family
networks: the discovery that one of them is a parent, a partner or a carer
there.

A network holds, besides its own records, the relationships of its members
recorded elsewhere (their other ends are ``Network.outside_ids``) and the care
arrangements of its members recorded elsewhere (their child is not a member).
Requirement 8 (:mod:`kinmap.core.rules.adults`) and the family page's warning
(``kinmap.records.elsewhere_words``) both read them through
:func:`known_elsewhere`, so that they agree on who is known elsewhere and as
what. Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .graph import FamilyGraph
from .vocab import CURRENT_PARTNER_CODES, PARENT_CODES


@dataclass(frozen=True)
class KnownElsewhere:
    """Members of a network known in other family networks, each mapped to
    person ids in first-recorded order (without repeats):

    * ``children``: their children (any parent relationship: birth, adoptive,
      step, foster; current or not) recorded only in other networks;
    * ``partners``: their current partners (living together or not) recorded
      only in other networks;
    * ``cared_for``: the children they care for now under a care arrangement
      recorded in another network (the child is not a member here)."""

    children: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    partners: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    cared_for: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    def as_partner_or_carer(self, person_id: int) -> bool:
        """Whether the person is a partner or a carer in another network."""
        return person_id in self.partners or person_id in self.cared_for

    def __contains__(self, person_id: object) -> bool:
        """Whether the person is known in another network in any of these ways."""
        return person_id in self.children or person_id in self.partners or person_id in self.cared_for


# what most families' records show: no one known elsewhere (one value for all:
# frozen, and nothing changes its mappings)
_NOWHERE = KnownElsewhere({}, {}, {})


def known_elsewhere(graph: FamilyGraph) -> KnownElsewhere:
    """The members of ``graph``'s network known in other family networks as a
    parent, a current partner or a current carer there ("current" on
    ``graph.today``), in one pass over its relationships and care."""
    net, today = graph.network, graph.today
    outside = net.outside_ids
    children: dict[int, dict[int, None]] = {}
    partners: dict[int, dict[int, None]] = {}
    cared_for: dict[int, dict[int, None]] = {}
    # a child or partner known elsewhere is someone outside this network:
    # with no one outside (most families) no relationship can name one
    for r in net.relationships if outside else ():
        if r.type in PARENT_CODES:
            if r.to_id in outside and net.is_member(r.from_id):
                children.setdefault(r.from_id, {})[r.to_id] = None
        elif r.type in CURRENT_PARTNER_CODES and r.current_on(today):
            for one, other in ((r.from_id, r.to_id), (r.to_id, r.from_id)):
                if other in outside and net.is_member(one):
                    partners.setdefault(one, {})[other] = None
    for c in net.care:
        if c.current_on(today) and net.is_member(c.carer_id) and not net.is_member(c.child_id):
            cared_for.setdefault(c.carer_id, {})[c.child_id] = None
    if not (children or partners or cared_for):  # most families
        return _NOWHERE
    return KnownElsewhere(
        children={pid: tuple(ids) for pid, ids in children.items()},
        partners={pid: tuple(ids) for pid, ids in partners.items()},
        cared_for={pid: tuple(ids) for pid, ids in cared_for.items()},
    )
