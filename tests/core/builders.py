"""Concise construction of synthetic family networks for tests.

Every name and address here is made up. Ids are given out in order, so a test
can rely on them only through the values the builder returns.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from kinmap.core.model import (
    CareArrangement,
    CareOrder,
    Fact,
    Household,
    Network,
    ParentalResponsibility,
    Person,
    Provenance,
    Relationship,
    Residence,
)
from kinmap.core.rules.facts import (
    FACT_ADULT_SERVICES,
    FACT_CURRENT_PARTNER,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    FACT_VISITORS,
)
from kinmap.core.rules.inputs import ProcessInputs
from kinmap.core.vocab import BIRTH_FATHER, BIRTH_MOTHER, CarePlace, DateAccuracy, PRBasis, Sex, Source

TODAY = date(2025, 3, 14)
SAID = Provenance(Source.SAID_BY, "said by the mother", "hv.ellis", datetime(2025, 3, 1, 10, 30))
SEEN = Provenance(Source.SEEN, "seen at the new birth visit", "hv.ellis", datetime(2025, 3, 1, 10, 30))


def years_ago(years: int, today: date = TODAY) -> date:
    return today.replace(year=today.year - years)


@dataclass
class FamilyBuilder:
    """Builds a :class:`Network` one record at a time."""

    today: date = TODAY
    people: dict[int, Person] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    households: dict[int, Household] = field(default_factory=dict)
    residences: list[Residence] = field(default_factory=list)
    care_arrangements: list[CareArrangement] = field(default_factory=list)
    responsibilities: list[ParentalResponsibility] = field(default_factory=list)
    care_orders: list[CareOrder] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    outside_ids: set[int] = field(default_factory=set)
    _last_id: int = 0

    def _next(self) -> int:
        self._last_id += 1
        return self._last_id

    # -- people ------------------------------------------------------------

    def person(self, given: str = "", family: str = "", **fields: Any) -> int:
        """A person; the name, telephone number and email given are said by the
        mother (requirement 12) unless ``provenance`` says otherwise."""
        pid = self._next()
        values = {"given_name": given, "family_name": family, **fields}
        sourced = {f: SAID for f in ("given_name", "family_name", "phone", "email") if values.get(f)}
        fields["provenance"] = {**sourced, **fields.get("provenance", {})}
        self.people[pid] = Person(id=pid, given_name=given, family_name=family, **fields)
        return pid

    def adult(self, given: str, family: str, *, age: int = 30, complete: bool = True, **fields: Any) -> int:
        """An adult; ``complete`` records everything the rules ask of any adult."""
        if complete:
            fields.setdefault("phone", "07700 900123")
            fields.setdefault("seen_directly_on", self.today - timedelta(days=10))
            fields.setdefault("provenance", {"birth_date": SAID})
            facts = {FACT_OTHER_NAMES: "none", FACT_ADULT_SERVICES: "none known"}
            facts.update(fields.pop("facts", {}))
            fields["facts"] = {k: Fact(k, v, SAID) for k, v in facts.items()}
        return self.person(
            given,
            family,
            birth_date=years_ago(age, self.today),
            birth_date_accuracy=DateAccuracy.ACCURATE,
            **fields,
        )

    def baby(self, given: str, family: str, *, age_days: int = 56, index: bool = True, **fields: Any) -> int:
        """A child born ``age_days`` ago; an index child unless told otherwise."""
        fields.setdefault("provenance", {"birth_date": SAID})
        pid = self.person(
            given,
            family,
            birth_date=self.today - timedelta(days=age_days),
            birth_date_accuracy=DateAccuracy.ACCURATE,
            **fields,
        )
        if index:
            self.index.append(pid)
        return pid

    def unborn(self, *, due_in_days: int = 60, index: bool = True) -> int:
        pid = self.person(
            "",
            "",
            name_absent_reason="not born yet",
            birth_date=self.today + timedelta(days=due_in_days),
            birth_date_accuracy=DateAccuracy.EXPECTED,
        )
        if index:
            self.index.append(pid)
        return pid

    def update(self, pid: int, **changes: Any) -> None:
        self.people[pid] = dataclasses.replace(self.people[pid], **changes)

    def fact(self, pid: int, key: str, value: str, provenance: Provenance | None = SAID) -> None:
        facts = {**self.people[pid].facts, key: Fact(key, value, provenance)}
        self.update(pid, facts=facts)

    def forget_fact(self, pid: int, key: str) -> None:
        self.update(pid, facts={k: v for k, v in self.people[pid].facts.items() if k != key})

    def outside(self, pid: int) -> None:
        self.outside_ids.add(pid)

    # -- records -----------------------------------------------------------

    def household(self, address: str = "1 Example Row, Testham TE1 1AA", *, masked: bool = False) -> int:
        hid = self._next()
        self.households[hid] = Household(hid, address_line_1=address, masked=masked)
        return hid

    def lives_at(
        self, pid: int, hid: int, *, start: date | None = None, end: date | None = None, sourced: bool = True
    ) -> int:
        rid = self._next()
        self.residences.append(Residence(rid, pid, hid, start, end, SAID if sourced else None))
        return rid

    def relate(
        self,
        from_id: int,
        code: str,
        to_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        sourced: bool = True,
    ) -> int:
        rid = self._next()
        self.relationships.append(
            Relationship(rid, from_id, to_id, code, start, end, SAID if sourced else None)
        )
        return rid

    def care(
        self,
        carer: int,
        child: int,
        *,
        overnight: bool = False,
        supervised: bool = False,
        place: CarePlace = CarePlace.CARER_HOME,
        frequency: str = "on Fridays",
        start: date | None = None,
        end: date | None = None,
        sourced: bool = True,
    ) -> int:
        cid = self._next()
        self.care_arrangements.append(
            CareArrangement(
                cid,
                carer,
                child,
                place=place,
                frequency=frequency,
                overnight=overnight,
                supervised=supervised,
                start=start,
                end=end,
                provenance=SAID if sourced else None,
            )
        )
        return cid

    def pr(self, pid: int, child: int, basis: PRBasis, *, sourced: bool = True) -> int:
        rid = self._next()
        self.responsibilities.append(
            ParentalResponsibility(rid, pid, child, basis, None, SAID if sourced else None)
        )
        return rid

    def care_order(
        self,
        child: int,
        local_authority: str = "Testham City Council",
        *,
        start: date | None = None,
        end: date | None = None,
        sourced: bool = True,
    ) -> int:
        """A care order: the local authority shares parental responsibility."""
        oid = self._next()
        made = start or self.today - timedelta(days=20)
        self.care_orders.append(CareOrder(oid, child, local_authority, made, end, SAID if sourced else None))
        return oid

    def drop(self, record_id: int) -> None:
        """Remove a relationship, residence, care arrangement or PR record by id."""
        self.relationships = [r for r in self.relationships if r.id != record_id]
        self.residences = [r for r in self.residences if r.id != record_id]
        self.care_arrangements = [c for c in self.care_arrangements if c.id != record_id]
        self.responsibilities = [p for p in self.responsibilities if p.id != record_id]

    def build(self) -> Network:
        return Network(
            id=1,
            name="Brook family",
            index_child_ids=tuple(self.index),
            people=dict(self.people),
            relationships=tuple(self.relationships),
            households=dict(self.households),
            residences=tuple(self.residences),
            care=tuple(self.care_arrangements),
            parental_responsibility=tuple(self.responsibilities),
            care_orders=tuple(self.care_orders),
            outside_ids=frozenset(self.outside_ids),
        )


@dataclass
class Family:
    """A family with nothing missing, for tests to take apart one detail at a time.

    Amy (8 weeks) lives with her mother Sarah at Willow Close. Her father
    Daniel lives elsewhere and has her overnight on Fridays at his flat.
    """

    b: FamilyBuilder
    amy: int
    sarah: int
    daniel: int
    home: int
    flat: int
    daniel_home: int  # Daniel's residence record
    daniel_care: int  # the overnight care arrangement
    daniel_rel: int  # the birth father relationship

    def network(self) -> Network:
        return self.b.build()

    def process(self) -> ProcessInputs:
        """Everything done at today's contact: the roster was reconfirmed."""
        return ProcessInputs(last_contact_on=self.b.today, last_roster_confirmed={self.home: self.b.today})


def complete_family() -> Family:
    b = FamilyBuilder()
    home = b.household("4 Willow Close, Testham TE1 1AA")
    flat = b.household("Flat 2, 9 Mill Lane, Testham TE2 2BB")
    amy = b.baby("Amy", "Brook", sex=Sex.FEMALE, facts={FACT_VISITORS: Fact(FACT_VISITORS, "none", SAID)})
    sarah = b.adult("Sarah", "Brook", age=27, sex=Sex.FEMALE, email="sarah@example.invalid")
    daniel = b.adult("Daniel", "Carter", age=29, sex=Sex.MALE)
    b.lives_at(amy, home)
    b.lives_at(sarah, home)
    daniel_home = b.lives_at(daniel, flat)
    b.relate(sarah, BIRTH_MOTHER, amy)
    daniel_rel = b.relate(daniel, BIRTH_FATHER, amy)
    b.relate(sarah, "x-former-partner", daniel)
    b.pr(sarah, amy, PRBasis.BIRTH_MOTHER)
    b.pr(daniel, amy, PRBasis.JOINT_REGISTRATION)
    daniel_care = b.care(daniel, amy, overnight=True, frequency="on Friday nights")
    for parent in (sarah, daniel):
        b.fact(parent, FACT_CURRENT_PARTNER, "none")
        b.fact(parent, FACT_OTHER_CHILDREN, "none")
    return Family(b, amy, sarah, daniel, home, flat, daniel_home, daniel_care, daniel_rel)
