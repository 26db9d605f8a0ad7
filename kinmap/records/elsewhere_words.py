"""How the family pages speak of what is recorded about a family's people in
other family networks: only that it is there, how much, and which agencies
hold it; never who the others are, nor their dates or addresses (PRODUCT.md:
access follows a legitimate relationship with the family). No queries: the
facts come from the loaded network and :class:`~kinmap.records.selectors.Elsewhere`."""

from __future__ import annotations

from collections.abc import Mapping

from kinmap.core.elsewhere import known_elsewhere
from kinmap.core.graph import FamilyGraph
from kinmap.core.model import Person
from kinmap.core.vocab import Sex

from .selectors import Elsewhere

# Whose partner someone elsewhere is, by the sex recorded for the parent.
_PARENT_BY_SEX = {Sex.FEMALE: "mother", Sex.MALE: "father"}


def and_words(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def elsewhere_words(count: int, agencies: list[str]) -> str:
    """That a person is also recorded in other family networks, as a count and
    the agencies allocated to them: "Also recorded in 1 other family network,
    known to Northshire Children's Social Care". Empty for nobody."""
    if not count:
        return ""
    networks = "1 other family network" if count == 1 else f"{count} other family networks"
    return f"Also recorded in {networks}" + (f", known to {and_words(agencies)}" if agencies else "")


def hidden_relatives_words(count: int, agencies: list[str], child: str) -> str:
    """Relatives of a child recorded only in networks the user may not see: how
    many, and the agencies to ask; never who they are."""
    if not count:
        return ""
    who = "1 person related to" if count == 1 else f"{count} people related to"
    are = "is" if count == 1 else "are"
    known = f", known to {and_words(agencies)}" if agencies else ""
    return f"{who} {child} {are} recorded only in family networks you cannot see{known}."


def known_elsewhere_words(graph: FamilyGraph, elsewhere: Elsewhere) -> list[str]:
    """Sentences (no full stop) for the warning on the family page and the
    contact: each member known in another family network as a parent there,
    and each parent, parent's partner or carer of a child here known in
    another family network only as a partner or a carer there
    (:func:`kinmap.core.elsewhere.known_elsewhere`, the discovery behind
    requirement 8). Each names the member and the agencies holding the other
    networks, never the other people:

    * "Jordan Price is recorded as the parent of a child in another family
      network, held by Northshire Children's Social Care";
    * "Dean Hollis is recorded as a mother's partner in another family
      network, held by Northshire Police" (the partner there is recorded as a
      parent: "mother's", "father's" or "parent's" by their sex; otherwise
      "the partner of someone");
    * "Dean Hollis is recorded as a carer of a child in another family
      network, held by Northshire Police"."""
    net = graph.network
    known = known_elsewhere(graph)
    asked = _asked_about(graph)
    out = []
    for pid in sorted(p for p in net.people if net.is_member(p)):
        name = net.people[pid].display_name
        kids = known.children.get(pid, ())
        if kids:
            out.append(f"{name} is recorded as the parent of {_children(kids)}{_held(elsewhere, kids)}")
            continue
        if pid not in asked:
            continue
        partners = known.partners.get(pid, ())
        if partners:
            out.append(f"{name} is recorded as {_partner_of(net.people, partners, elsewhere)} in another "
                       f"family network{_held(elsewhere, partners)}")  # fmt: skip
        cared_for = known.cared_for.get(pid, ())
        if cared_for:
            out.append(
                f"{name} is recorded as a carer of {_children(cared_for)}{_held(elsewhere, cared_for)}"
            )
    return out


def _asked_about(graph: FamilyGraph) -> set[int]:
    """The members asked about their other children when known elsewhere as a
    partner or a carer (as requirement 8 does): the current parents of an
    index child, their current partners, and the child's current carers."""
    net = graph.network
    out: set[int] = set()
    for cid in net.index_child_ids:
        for p in graph.parents(cid):
            out.update((p, *graph.partners(p)))
        out.update(graph.carers(cid))
    return {pid for pid in out if net.is_member(pid)}


def _children(kids: tuple[int, ...]) -> str:
    if len(kids) == 1:
        return "a child in another family network"
    return f"{len(kids)} children in other family networks"


def _partner_of(people: Mapping[int, Person], partners: tuple[int, ...], elsewhere: Elsewhere) -> str:
    """ "a mother's partner" when a partner elsewhere is recorded as a parent
    (by their sex: mother's, father's, or parent's when it is not recorded),
    otherwise "the partner of someone"."""
    for q in partners:
        if q in elsewhere.parents:
            return f"a {_PARENT_BY_SEX.get(Sex(people[q].sex), 'parent')}'s partner"
    return "the partner of someone"


def _held(elsewhere: Elsewhere, person_ids: tuple[int, ...]) -> str:
    agencies = elsewhere.agencies_of(person_ids)
    return f", held by {and_words(agencies)}" if agencies else ""
