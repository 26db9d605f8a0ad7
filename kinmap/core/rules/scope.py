"""Who the rules ask about in one family network on one day.

A :class:`Scope` is built once per network and shared by every rule, so the
indexes behind it (current addresses, care by child and by carer, parental
responsibility by adult and child) are computed once. Every lookup is a
dictionary access: evaluating a family is linear in the size of its record.

The words used by the rules:

* **in-scope child**: an index child who is a member of the network and alive.
  Unborn children are in scope.
* **live member**: a person of the network (not in ``outside_ids``) who is alive.
* **adult**: a live member who is 18 or over by date of birth, or whose age is
  not known (no date of birth) and who has a parent, partner or carer role in
  the network or lives with an in-scope child (at its home: for an unborn
  child with no address, its birth mother's); an index child is never one.
  Someone known to be under 18 is a child, whatever their role: a 17-year-old
  mother is not asked the adult questions as if she were an adult with no one
  of her own; the young-parent requirement
  (:mod:`kinmap.core.rules.young_parents`) asks who cares for her.
* **baby**: a child younger than a rule's ``critical_under_days``; an unborn
  child, and a child whose date of birth is not known, count as babies so that
  nothing is rated less urgent than it may be.
"""

from __future__ import annotations

from ..graph import FamilyGraph
from ..memo import cached
from ..model import CareArrangement, Network, ParentalResponsibility, Person
from ..vocab import REL_BY_CODE, DateAccuracy, RelKind, rel_type

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_EXPECTED = DateAccuracy.EXPECTED
_SOCIAL = RelKind.SOCIAL

_NO_HOUSEHOLDS: frozenset[int] = frozenset()


class Scope:
    """Read-only, indexed view of a family network for the rules."""

    def __init__(self, graph: FamilyGraph) -> None:
        self.graph = graph
        self.network: Network = graph.network
        self.today = today = graph.today
        # parents by child and partners by person (live members), filled as asked for
        self._parents: dict[int, tuple[int, ...]] = {}
        self._partners: dict[int, tuple[int, ...]] = {}
        # Who is alive and which children are in scope, worked out here: every
        # rule asks (a dozen times a family each), and a plain attribute is
        # read faster than a ``cached`` one (whose descriptor on the class
        # keeps the interpreter from specialising the read, in Python 3.11).
        network = graph.network
        outside, people = network.outside_ids, network.people
        #: Members of the network who are alive today.
        self.live_ids: frozenset[int] = frozenset(
            [
                pid
                for pid, p in people.items()
                if pid not in outside and (p.death_date is None or p.death_date > today)  # p.alive_on(today)
            ]
        )
        #: The in-scope index children, in the order the network lists them.
        self.children: tuple[Person, ...] = _in_scope_children(network, self.live_ids)
        # What every family's rules read (requirements 9, 11 and 12 each go
        # through every adult or person, requirement 12 through the care),
        # also worked out here as plain attributes.
        #: Every person of the network (members and others) with their id, in id order.
        self.people_in_order: tuple[tuple[int, Person], ...] = tuple(sorted(people.items()))
        #: Current care arrangements between live members, in id order.
        self.care_now: tuple[CareArrangement, ...] = self._care_now() if network.care else ()
        #: Ids of the adults (see the module docstring), in id order.
        self.adults: tuple[int, ...] = self._adults()

    # -- people ------------------------------------------------------------

    def person(self, pid: int) -> Person:
        return self.network.people[pid]

    def is_live_member(self, pid: int) -> bool:
        return pid in self.live_ids

    @cached
    def role_ids(self) -> frozenset[int]:
        """People with a current parent, partner or carer role towards anyone."""
        # the parents of current parent relationships and both people of current
        # partner relationships, read from the graph's index of them
        index = self.graph._relationship_index
        out = set(index.partners_now)
        for parents in index.parents_now.values():
            out.update(parents)
        for c in self.care_now:
            out.add(c.carer_id)
        return frozenset(out)

    def _adults(self) -> tuple[int, ...]:
        """:attr:`adults`, worked out (once, by ``__init__``)."""
        today, live = self.today, self.live_ids
        # who of unknown age counts as an adult, worked out when someone's age
        # is not known (in most families everyone's is)
        age_unknown_adults: frozenset[int] | None = None
        # Person.is_adult and Person.age_in_years written out (no two calls per person)
        on = (today.month, today.day)
        out = []
        for pid, p in self.people_in_order:
            if pid not in live:
                continue
            b = p.birth_date
            if b is None or p.birth_date_accuracy is _EXPECTED:  # age not known
                if age_unknown_adults is None:
                    index = frozenset(self.network.index_child_ids)
                    age_unknown_adults = (self.role_ids | self._lives_with_a_child) - index
                if pid in age_unknown_adults and not p.unborn:
                    out.append(pid)
            elif today.year - b.year - (on < (b.month, b.day)) >= 18:
                out.append(pid)
        return tuple(out)

    @cached
    def adult_ids(self) -> frozenset[int]:
        """The adults (:attr:`adults`) as a set."""
        return frozenset(self.adults)

    @cached
    def _lives_with_a_child(self) -> frozenset[int]:
        """Everyone who lives now at the home of an in-scope child (:meth:`homes_of`)."""
        out: set[int] = set()
        for child in self.children:
            for h in self.homes_of(child.id):
                out.update(self.residents(h))
        return frozenset(out)

    def homes_of(self, child_id: int) -> frozenset[int]:
        """The households the child lives in today; for an unborn child with no
        address of its own, its birth mother's (the home it will be born into:
        the people there are the household the rules ask about)."""
        own = self.households_of(child_id)
        if own or not self.network.people[child_id].unborn:
            return own
        mother = self.graph.birth_mother(child_id)
        return self.households_of(mother) if mother is not None and self.is_live_member(mother) else own

    def is_baby(self, child: Person, under_days: int) -> bool:
        # child.unborn and child.age_in_days written out (asked for every child by most rules)
        b = child.birth_date
        return b is None or child.birth_date_accuracy is _EXPECTED or (self.today - b).days < under_days

    # -- parents and partners ---------------------------------------------

    def parents(self, child_id: int) -> list[int]:
        """Current parents of every kind (birth, adoptive, step, foster) who are live members."""
        found = self._parents.get(child_id)
        if found is None:
            live = self.live_ids
            # loops rather than generators here and below (in Python 3.11
            # each generator makes a function and a frame; asked per person)
            alive = []
            for p in self.graph.parents(child_id):
                if p in live:
                    alive.append(p)
            found = self._parents[child_id] = tuple(alive)
        return list(found)

    def partners(self, person_id: int) -> list[int]:
        """Current partners who are live members."""
        found = self._partners.get(person_id)
        if found is None:
            live = self.live_ids
            alive = []
            for q in self.graph.partners(person_id):
                if q in live:
                    alive.append(q)
            found = self._partners[person_id] = tuple(alive)
        return list(found)

    def has_current_partner(self, person_id: int) -> bool:
        """A current partner relationship with someone alive, in this network or another."""
        people, today = self.network.people, self.today
        for q in self.graph.partners(person_id):  # noqa: SIM110 - a loop (as in parents)
            if q in people and people[q].alive_on(today):
                return True
        return False

    def related_to_child(self, person_id: int, child_id: int) -> bool:
        """Is the person's relationship to the child recorded or derivable?"""
        g = self.graph
        if g.relationships_between(person_id, child_id):
            return True
        for p in g.parents(child_id):
            if person_id in g.partners(p) or person_id in g.parents(p):
                return True
        return any(s.person_id == person_id for s in g.siblings(child_id))

    @cached
    def social_pairs(self) -> tuple[tuple[int, int], ...]:
        """Each current social relationship (friend, visitor...) both ways round."""
        out: list[tuple[int, int]] = []
        types = REL_BY_CODE
        for r in self.graph.relationships_now:
            # rel_type(r.type), read from its table (rel_type raises for an unknown code)
            if (types.get(r.type) or rel_type(r.type)).kind is _SOCIAL:
                out += [(r.from_id, r.to_id), (r.to_id, r.from_id)]
        return tuple(out)

    # -- addresses ---------------------------------------------------------

    @cached
    def _residents_now(self) -> dict[int, frozenset[int]]:
        out: dict[int, set[int]] = {}
        for pid, hs in self.graph._households_today.items():
            for h in hs:
                out.setdefault(h, set()).add(pid)
        return {h: frozenset(ps) for h, ps in out.items()}

    def households_of(self, person_id: int) -> frozenset[int]:
        """The households the person lives at today (the graph's index, read directly)."""
        return self.graph._households_today.get(person_id, _NO_HOUSEHOLDS)

    def residents(self, household_id: int) -> frozenset[int]:
        return self._residents_now.get(household_id, frozenset())

    def lives_with(self, person_id: int, child_id: int) -> bool:
        return bool(self.households_of(person_id) & self.households_of(child_id))

    def has_address(self, person_id: int) -> bool:
        """A current residence at a household whose address is recorded (or masked)."""
        households = self.network.households
        for h in self.households_of(person_id):
            x = households.get(h)
            # any part of the address recorded (Household.address joins the
            # parts that are, so it is non-empty exactly then)
            if x is not None and (x.masked or x.address_line_1 or x.address_line_2 or x.town or x.postcode):
                return True
        return False

    # -- care and parental responsibility ---------------------------------

    def _care_now(self) -> tuple[CareArrangement, ...]:
        """:attr:`care_now`, worked out (once, by ``__init__``)."""
        care = self.network.care
        today, live = self.today, self.live_ids
        return tuple(
            sorted(
                (c for c in care if c.current_on(today) and c.carer_id in live and c.child_id in live),
                key=lambda c: c.id,
            )
        )

    @cached
    def _care_pairs(self) -> frozenset[tuple[int, int]]:
        return frozenset((c.carer_id, c.child_id) for c in self.care_now)

    def cares_for(self, carer_id: int, child_id: int) -> bool:
        return (carer_id, child_id) in self._care_pairs

    def gives_risky_care_to_baby(self, person_id: int, under_days: int) -> bool:
        """Overnight or unsupervised care of a baby, the care the Child K review was about."""
        if not self.care_now:  # most families
            return False
        people = self.network.people
        return any(
            c.carer_id == person_id
            and (c.overnight or not c.supervised)
            and self.is_baby(people[c.child_id], under_days)
            for c in self.care_now
        )

    @cached
    def _pr(self) -> dict[tuple[int, int], list[ParentalResponsibility]]:
        out: dict[tuple[int, int], list[ParentalResponsibility]] = {}
        for pr in self.network.parental_responsibility:
            out.setdefault((pr.person_id, pr.child_id), []).append(pr)
        return out

    @cached
    def _pr_by_child(self) -> dict[int, list[ParentalResponsibility]]:
        out: dict[int, list[ParentalResponsibility]] = {}
        for pr in self.network.parental_responsibility:
            out.setdefault(pr.child_id, []).append(pr)
        return out

    def responsibility_of_child(self, child_id: int) -> list[ParentalResponsibility]:
        """Every record of anyone's parental responsibility for the child, in the order recorded."""
        return self._pr_by_child.get(child_id, [])

    def responsibility(self, person_id: int, child_id: int) -> list[ParentalResponsibility]:
        """Every record of the person's parental responsibility for the child, past and current."""
        return self._pr.get((person_id, child_id), [])

    def responsibility_now(self, person_id: int, child_id: int) -> list[ParentalResponsibility]:
        """The records current today; none for a holder who has died (death ends it)."""
        today = self.today
        if not self.network.people[person_id].alive_on(today):
            return []
        out = []  # a loop, not a comprehension (a function and a frame in Python 3.11)
        for r in self.responsibility(person_id, child_id):
            if r.current_on(today):
                out.append(r)
        return out

    # -- core details ------------------------------------------------------

    def missing_core_details(self, person_id: int) -> tuple[str, ...]:
        """Which of full name, date of birth, address and contact are not recorded.

        For someone who has died only the name is asked: the rest cannot be
        collected and is not needed to keep a child safe.
        """
        p = self.network.people[person_id]
        out: list[str] = []
        if not (p.given_name.strip() and p.family_name.strip()):
            out.append("name")
        if not p.alive_on(self.today):
            return tuple(out)
        if p.birth_date is None:
            out.append("birth_date")
        if not self.has_address(person_id):
            out.append("address")
        if not (p.phone.strip() or p.email.strip() or p.phone_masked):
            out.append("contact")
        return tuple(out)


def _in_scope_children(network: Network, live: frozenset[int]) -> tuple[Person, ...]:
    """The index children of ``network`` who are among ``live``, each once,
    in the order the network lists them (:attr:`Scope.children`)."""
    seen: dict[int, Person] = {}
    for cid in network.index_child_ids:
        if cid not in seen and cid in live:
            seen[cid] = network.people[cid]
    return tuple(seen.values())


def who(person: Person, role: str = "") -> str:
    """How a detail names a person: their name, or their role when the name is not known.

    ``who(p, "the birth father of Amy Brook")`` is "Daniel Brook", or "the birth
    father of Amy Brook" when no name is recorded.
    """
    name = f"{person.given_name} {person.family_name}".strip()
    return name or role or "a person whose name is not recorded"


def names(people: list[Person]) -> str:
    """ "Amy Brook", "Amy Brook and Ben Brook", "A, B and C"."""
    words = [who(p, "a child whose name is not recorded") for p in people]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
