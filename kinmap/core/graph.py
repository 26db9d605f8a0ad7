"""Derivations over a family network: who is whose parent, sibling, partner;
who lives with the child and who lives elsewhere; who gives care away from the
child's home and overnight. Plain Python, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple, Protocol, TypeVar

from .dates import day_month_year
from .memo import cached
from .model import CareArrangement, InformationGiven, Invitation, Network, Person, Relationship
from .vocab import (
    BIRTH_FATHER,
    BIRTH_MOTHER,
    CARE_PLACE_LABELS,
    CURRENT_PARTNER_CODES,
    PARENT_CODES,
    CarePlace,
    DateAccuracy,
    RelKind,
    rel_type,
)

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_ACCURATE = DateAccuracy.ACCURATE
_CHILD_HOME = CarePlace.CHILD_HOME
_SIBLING = RelKind.SIBLING

T = TypeVar("T")

_set = object.__setattr__  # see kinmap.core.memo


class SiblingKind(StrEnum):
    FULL = "full"
    HALF = "half"
    STEP = "step"


class Group(StrEnum):
    LIVES_WITH = "lives-with"
    LIVES_ELSEWHERE = "lives-elsewhere"
    SIGNIFICANT = "significant"


GROUP_LABELS = {
    Group.LIVES_WITH: "Lives with the child",
    Group.LIVES_ELSEWHERE: "Lives elsewhere",
    Group.SIGNIFICANT: "Other significant people",
}


@dataclass(frozen=True)
class Sibling:
    person_id: int
    kind: SiblingKind


_BIRTH_PARENT_CODES = frozenset({BIRTH_MOTHER, BIRTH_FATHER})


class _RelationshipIndex(NamedTuple):
    """What :attr:`FamilyGraph._relationship_index` works out in one pass."""

    parents_of: dict[int, list[Relationship]]  # parent relationships by child
    children_of: dict[int, list[Relationship]]  # parent relationships by parent
    now: tuple[Relationship, ...]  # current today, in the network's order
    parents_now: dict[int, list[int]]  # child -> parent ids, current today (repeats kept)
    partners_now: dict[int, list[int]]  # person -> current partner ids (repeats kept)
    birth_parent: dict[tuple[int, str], int]  # (child, BIRTH_MOTHER or BIRTH_FATHER) -> the parent


class FamilyGraph:
    """Read-only view of a :class:`Network` with the derivations kinmap needs.

    ``today`` fixes the date that "current" means, so results are reproducible.
    """

    def __init__(self, network: Network, today: date) -> None:
        self.network = network
        self.today = today
        #: results other modules derive from this graph (``kinmap.core.carers``
        #: keeps each child's carers and their checks here), kept as long as
        #: the graph: keyed by a tuple that starts with the deriving function's name
        self.memo: dict[object, Any] = {}
        # current parents by child, current partners and children by person,
        # filled as they are asked for (the rules ask for the same ones again)
        self._current_parents: dict[int, tuple[int, ...]] = {}
        self._current_partners: dict[int, tuple[int, ...]] = {}
        self._children: dict[int, tuple[int, ...]] = {}
        # birth parents and siblings by person, filled as they are asked for
        # (a family page asks for each child's several times)
        self._birth_parents: dict[int, frozenset[int]] = {}
        self._siblings: dict[int, tuple[Sibling, ...]] = {}

    def is_of(self, network: Network, today: date) -> bool:
        """Whether this is the graph of ``network`` (the same object) on ``today``."""
        return self.network is network and self.today == today

    @classmethod
    def given_or_new(cls, graph: FamilyGraph | None, network: Network, today: date) -> FamilyGraph:
        """``graph`` when it is of ``network`` on ``today`` (what it worked out
        already is used again), a new graph when ``graph`` is None;
        ``ValueError`` for a graph of another network or day."""
        if graph is None:
            return cls(network, today)
        if not graph.is_of(network, today):
            raise ValueError("the graph is not of this network on this day")
        return graph

    # -- indexes -----------------------------------------------------------

    @cached
    def _relationship_index(self) -> _RelationshipIndex:
        """Parent relationships by child and by parent; the relationships
        current today, and from them the current parents by child and current
        partners by person: in one pass, each relationship's dates read once
        (the rules ask who is current many times a family). Every
        relationship by each of its two people (:attr:`_rels_of`) is a pass of
        its own, made when asked for (the gap engine seldom asks)."""
        # plain dictionaries: a defaultdict's subscript is never specialised in
        # Python 3.11 (a generic lookup, and a call of __missing__ for each new
        # key); a list made only for a new key (setdefault(key, []) makes one
        # every time), about a third of this pass
        parents_of: dict[int, list[Relationship]] = {}
        children_of: dict[int, list[Relationship]] = {}
        now: list[Relationship] = []
        parents_now: dict[int, list[int]] = {}
        partners_now: dict[int, list[int]] = {}
        by_code: dict[tuple[int, str], int] = {}
        today = self.today
        parent_codes, birth_codes, partner_codes = PARENT_CODES, _BIRTH_PARENT_CODES, CURRENT_PARTNER_CODES
        for r in self.network.relationships:
            a, b, code, start, end = r.from_id, r.to_id, r.type, r.start, r.end
            # r.current_on(today), written out
            current = (start is None or start <= today) and (end is None or end > today)
            if current:
                now.append(r)
            if code in parent_codes:
                found = parents_of.get(b)
                if found is None:
                    parents_of[b] = [r]
                else:
                    found.append(r)
                found = children_of.get(a)
                if found is None:
                    children_of[a] = [r]
                else:
                    found.append(r)
                if code in birth_codes and (b, code) not in by_code:
                    by_code[b, code] = a  # the first recorded of each
                if current:
                    ids = parents_now.get(b)
                    if ids is None:
                        parents_now[b] = [a]
                    else:
                        ids.append(a)
            elif current and code in partner_codes:
                # in the order of each person's relationships (rels_of), as _partners finds them
                ids = partners_now.get(a)
                if ids is None:
                    partners_now[a] = [b]
                else:
                    ids.append(b)
                ids = partners_now.get(b)
                if ids is None:
                    partners_now[b] = [a]
                else:
                    ids.append(a)
        # the properties read from the index, set here once (``cached`` leaves
        # a value on the instance, which later reads find first; set as
        # ``cached`` sets it, without making an instance dictionary)
        set_ = _set
        set_(self, "_parents_of", parents_of)
        set_(self, "_children_of", children_of)
        set_(self, "relationships_now", relationships_now := tuple(now))
        return _RelationshipIndex(
            parents_of, children_of, relationships_now, parents_now, partners_now, by_code
        )

    @cached
    def relationships_now(self) -> tuple[Relationship, ...]:
        """The network's relationships current today, in the network's order."""
        return self._relationship_index.now

    @cached
    def _parents_of(self) -> dict[int, list[Relationship]]:
        return self._relationship_index.parents_of

    @cached
    def _children_of(self) -> dict[int, list[Relationship]]:
        return self._relationship_index.children_of

    @cached
    def _rels_of(self) -> dict[int, list[Relationship]]:
        """Every relationship by each of its two people, in the network's order."""
        rels_of: dict[int, list[Relationship]] = {}
        for r in self.network.relationships:
            rels_of.setdefault(r.from_id, []).append(r)
            rels_of.setdefault(r.to_id, []).append(r)
        return rels_of

    @cached
    def _information_by_person(self) -> dict[int, list[InformationGiven]]:
        return _by_person(self.network.information_given)

    @cached
    def _invitations_by_person(self) -> dict[int, list[Invitation]]:
        return _by_person(self.network.invitations)

    def information_of(self, person_id: int) -> list[InformationGiven]:
        """Every safety material given to (or declined by) the person, in the
        order the network records them."""
        return self._information_by_person.get(person_id, [])

    def invitations_of(self, person_id: int) -> list[Invitation]:
        """Every invitation to a contact the person had, in the network's order."""
        return self._invitations_by_person.get(person_id, [])

    def person(self, pid: int) -> Person:
        return self.network.people[pid]

    @property
    def index_children(self) -> list[Person]:
        return [self.network.people[i] for i in self.network.index_child_ids]

    # -- parents -----------------------------------------------------------

    def birth_mother(self, child_id: int) -> int | None:
        """The first birth mother recorded for the child (indexed once per graph)."""
        return self._relationship_index.birth_parent.get((child_id, BIRTH_MOTHER))

    def birth_father(self, child_id: int) -> int | None:
        """The first birth father recorded for the child (indexed once per graph)."""
        return self._relationship_index.birth_parent.get((child_id, BIRTH_FATHER))

    def birth_parents(self, child_id: int) -> frozenset[int]:
        found = self._birth_parents.get(child_id)
        if found is None:
            found = self._birth_parents[child_id] = frozenset(
                r.from_id for r in self._parents_of.get(child_id, []) if rel_type(r.type).birth
            )
        return found

    def parents(self, child_id: int, *, current: bool = True) -> list[int]:
        """Every parent of the child: birth, adoptive, step and foster."""
        if current:
            found = self._current_parents.get(child_id)
            if found is None:
                found = self._current_parents[child_id] = tuple(
                    _unique(self._relationship_index.parents_now.get(child_id, ()))
                )
            return list(found)
        return _unique(r.from_id for r in self._parents_of.get(child_id, []))

    def children(self, parent_id: int) -> list[int]:
        found = self._children.get(parent_id)
        if found is None:
            # a loop, not a comprehension (a function and a frame each in Python 3.11)
            ids: dict[int, None] = {}
            for r in self._children_of.get(parent_id, ()):
                ids[r.to_id] = None
            found = self._children[parent_id] = tuple(ids)
        return list(found)

    def birth_children(self, parent_id: int) -> list[int]:
        return _unique(r.to_id for r in self._children_of.get(parent_id, []) if rel_type(r.type).birth)

    def is_twin(self, a: int, b: int) -> bool:
        """Were ``a`` and ``b`` born to the same birth mother on the same day
        (exact dates of birth, both born)? Twins, triplets and more."""
        people = self.network.people
        pa, pb = people.get(a), people.get(b)
        if pa is None or pb is None or a == b or pa.birth_date is None or pa.birth_date != pb.birth_date:
            return False
        exact = _ACCURATE
        if pa.birth_date_accuracy is not exact or pb.birth_date_accuracy is not exact:
            return False
        mother = self.birth_mother(a)
        return mother is not None and mother == self.birth_mother(b)

    def children_from_other_relationships(self, parent_id: int, child_id: int) -> list[int]:
        """The parent's birth children who do not share the child's other birth parent.

        For a father, these are his children by other mothers (half-siblings of
        the child), whichever family network they are recorded in.
        """
        others = self.birth_parents(child_id) - {parent_id}
        out = []
        for c in self.birth_children(parent_id):
            if c == child_id:
                continue
            if not (self.birth_parents(c) - {parent_id}) or not others:
                # the other parent of one of them is not recorded: it cannot be
                # shown they share both parents, so count it as another relationship
                out.append(c)
            elif (self.birth_parents(c) - {parent_id}) != others:
                out.append(c)
        return out

    # -- siblings ----------------------------------------------------------

    def siblings(self, child_id: int) -> list[Sibling]:
        """Full and half siblings from shared birth parents; step siblings through a
        parent's current partner; and siblings recorded directly (worked out
        once a graph for each child; a new list each time)."""
        found = self._siblings.get(child_id)
        if found is None:
            found = self._siblings[child_id] = tuple(self._siblings_of(child_id))
        return list(found)

    def _siblings_of(self, child_id: int) -> list[Sibling]:
        mine = self.birth_parents(child_id)
        found: dict[int, SiblingKind] = {}
        for p in mine:
            for c in self.birth_children(p):
                if c == child_id:
                    continue
                theirs = self.birth_parents(c)
                kind = SiblingKind.FULL if len(mine) == 2 and theirs == mine else SiblingKind.HALF
                found[c] = _stronger(found.get(c), kind)
        # step: children of my parents' partners (not related by birth)
        for p in self.parents(child_id):
            for partner in self.partners(p):
                for c in self.children(partner):
                    if c != child_id and c not in found:
                        found[c] = SiblingKind.STEP
            # children of a step-parent
        for p in self.parents(child_id):
            for c in self.children(p):
                if c != child_id and c not in found:
                    found[c] = SiblingKind.STEP
        for r in self._rels_of.get(child_id, []):
            if rel_type(r.type).kind is _SIBLING:
                other = r.to_id if r.from_id == child_id else r.from_id
                recorded = {
                    "SIB": SiblingKind.FULL,
                    "HSIB": SiblingKind.HALF,
                    "STPSIB": SiblingKind.STEP,
                }[r.type]
                found.setdefault(other, recorded)
        return [Sibling(pid, kind) for pid, kind in sorted(found.items())]

    # -- partners ----------------------------------------------------------

    def partners(self, person_id: int, *, current: bool = True) -> list[int]:
        if current:
            found = self._current_partners.get(person_id)
            if found is None:
                found = self._current_partners[person_id] = tuple(
                    _unique(self._relationship_index.partners_now.get(person_id, ()))
                )
            return list(found)
        return self._partners(person_id, current=False)

    def _partners(self, person_id: int, *, current: bool) -> list[int]:
        codes = CURRENT_PARTNER_CODES if current else CURRENT_PARTNER_CODES | {"x-former-partner"}
        out = []
        for r in self._rels_of.get(person_id, []):
            if r.type in codes and (not current or r.current_on(self.today)):
                out.append(r.to_id if r.from_id == person_id else r.from_id)
        return _unique(out)

    def relationships_between(self, a: int, b: int) -> list[Relationship]:
        """``a``'s relationships with ``b``, either way round, in the network's order."""
        out = []
        for r in self._rels_of.get(a, ()):
            if r.from_id == b or r.to_id == b:
                out.append(r)
        return out

    # -- households --------------------------------------------------------

    @cached
    def moved_in_today(self) -> dict[int, date]:
        """Person id -> the latest start date among their current residences
        (people none of whose current residences has a start are left out)."""
        out: dict[int, date] = {}
        today = self.today
        for r in self.network.residences:
            start, end = r.start, r.end
            # r.current_on(today), written out (the start is known here)
            if start is not None and start <= today and (end is None or end > today):
                known = out.get(r.person_id)
                if known is None or start > known:
                    out[r.person_id] = start
        return out

    @cached
    def _households_today(self) -> dict[int, frozenset[int]]:
        """Person id -> the households of their current residences (people
        with none are left out). The people of one household share one set
        (most people live at one address; a set is a value, never changed)."""
        out: dict[int, frozenset[int]] = {}
        single: dict[int, frozenset[int]] = {}  # household -> the set of it alone
        today = self.today
        for r in self.network.residences:
            start, end = r.start, r.end
            if (start is None or start <= today) and (end is None or end > today):  # r.current_on(today)
                pid, h = r.person_id, r.household_id
                found = out.get(pid)
                if found is None:
                    alone = single.get(h)
                    if alone is None:
                        alone = single[h] = frozenset((h,))
                    out[pid] = alone
                elif h not in found:
                    out[pid] = found | {h}
        return out

    def households_of(self, person_id: int, on: date | None = None) -> frozenset[int]:
        """The households the person lives at on the day (today by default)."""
        if on is None or on == self.today:
            return self._households_today.get(person_id, frozenset())
        return frozenset(
            r.household_id for r in self.network.residences if r.person_id == person_id and r.current_on(on)
        )

    def lives_with(self, person_id: int, child_id: int, on: date | None = None) -> bool:
        if person_id == child_id:
            return True
        return bool(self.households_of(person_id, on) & self.households_of(child_id, on))

    def lives_elsewhere(self, person_id: int, child_id: int) -> bool:
        """Known to live at another address than the child (an address is recorded
        for both, and they differ)."""
        mine, theirs = self.households_of(person_id), self.households_of(child_id)
        return bool(mine) and bool(theirs) and not (mine & theirs)

    def household_roster(self, household_id: int) -> list[int]:
        return _unique(
            r.person_id
            for r in self.network.residences
            if r.household_id == household_id and r.current_on(self.today)
        )

    # -- care --------------------------------------------------------------

    def care_of(self, child_id: int, *, current: bool = True) -> list[CareArrangement]:
        return [
            c
            for c in self.network.care
            if c.child_id == child_id and (not current or c.current_on(self.today))
        ]

    def carers(self, child_id: int) -> list[int]:
        return _unique(c.carer_id for c in self.care_of(child_id))

    def care_away_from_home(self, child_id: int) -> list[CareArrangement]:
        return [c for c in self.care_of(child_id) if c.place is not _CHILD_HOME]

    def overnight_carers(self, child_id: int) -> list[int]:
        return _unique(c.carer_id for c in self.care_of(child_id) if c.overnight)

    def gives_overnight_care(self, person_id: int, child_id: int | None = None) -> bool:
        return any(
            c.overnight and c.carer_id == person_id and (child_id is None or c.child_id == child_id)
            for c in self.network.care
            if c.current_on(self.today)
        )

    # -- the family page ---------------------------------------------------

    def group_for(self, person_id: int, child_id: int) -> Group:
        """Where a person appears on the family page of ``child_id``."""
        if self.lives_with(person_id, child_id) and self.households_of(child_id):
            return Group.LIVES_WITH
        is_family = person_id in self.parents(child_id) or any(
            c.carer_id == person_id for c in self.care_of(child_id)
        )
        is_family = is_family or person_id in {s.person_id for s in self.siblings(child_id)}
        if self.lives_elsewhere(person_id, child_id) or (is_family and not self.households_of(person_id)):
            return Group.LIVES_ELSEWHERE
        return Group.SIGNIFICANT

    def relation_to_child(self, person_id: int, child_id: int) -> str:
        """The person's relationship to the child in words: "birth father", "half-sibling"."""
        if person_id == child_id:
            return "the child"
        words = []
        for r in self.relationships_between(person_id, child_id):
            t = rel_type(r.type)
            if r.from_id == person_id or t.symmetric:
                words.append(t.noun)
            else:
                words.append(t.reverse.removesuffix(" of").removesuffix(" to"))
        sib = {s.person_id: s.kind for s in self.siblings(child_id)}
        if not words and person_id in sib:
            kind = "twin" if self.is_twin(person_id, child_id) else sib[person_id].value
            words.append(
                {"twin": "twin", "full": "sibling", "half": "half-sibling", "step": "stepsibling"}[kind]
            )
        if not words:
            for p in self.parents(child_id):
                if person_id in self.partners(p):
                    words.append(f"partner of the child's {self.relation_to_child(p, child_id)}")
                    break
        if not words:
            for p in self.parents(child_id):
                if person_id in self.parents(p):
                    words.append("grandparent")
                    break
        return ", ".join(_unique(words)) or "significant person"

    def describe(self, person_id: int, child_id: int) -> str:
        """One line for the family page, e.g.
        "Birth father · lives elsewhere · has the baby overnight (on Fridays)"."""
        parts = [self.relation_to_child(person_id, child_id).capitalize()]
        if person_id != child_id:
            if self.lives_with(person_id, child_id) and self.households_of(child_id):
                parts.append("lives with the child")
            elif self.lives_elsewhere(person_id, child_id):
                parts.append("lives elsewhere")
            elif not self.households_of(person_id):
                parts.append("address not recorded")
        child = self.person(child_id)
        noun = "the baby" if (child.age_in_days(self.today) or 0) < 365 else "the child"
        for c in self.care_of(child_id):
            if c.carer_id != person_id:
                continue
            how = f"has {noun} overnight" if c.overnight else f"looks after {noun}"
            if c.frequency:
                # The frequency is the practitioner's words ("stays over 2 or 3
                # nights a week", "every Friday"), so it is quoted, not run on.
                how += f" ({c.frequency})"
            if c.place is not _CHILD_HOME:
                how += f" {CARE_PLACE_LABELS[c.place]}"
            if not c.supervised:
                how += ", unsupervised" if not c.overnight else ""
            parts.append(how)
        p = self.person(person_id)
        if p.death_date is not None:
            parts.append(f"died {day_month_year(p.death_date)}")
        return " · ".join(parts)

    def groups(self, child_id: int) -> dict[Group, list[int]]:
        out: dict[Group, list[int]] = {g: [] for g in Group}
        for pid in self.network.people:
            if pid == child_id:
                continue
            out[self.group_for(pid, child_id)].append(pid)
        return out


_RANK = {SiblingKind.FULL: 0, SiblingKind.HALF: 1, SiblingKind.STEP: 2}


def _stronger(a: SiblingKind | None, b: SiblingKind) -> SiblingKind:
    if a is None:
        return b
    return a if _RANK[a] <= _RANK[b] else b


class _OfPerson(Protocol):
    @property
    def person_id(self) -> int: ...


P = TypeVar("P", bound=_OfPerson)


def _by_person(records: Iterable[P]) -> dict[int, list[P]]:
    """The records grouped by ``person_id``, each group in the given order."""
    out: dict[int, list[P]] = {}
    for r in records:
        out.setdefault(r.person_id, []).append(r)
    return out


def _unique(items: Iterable[T]) -> list[T]:
    """The items in first-seen order, without repeats."""
    return list(dict.fromkeys(items))
