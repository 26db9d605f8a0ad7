"""Synthetic family networks for benchmarks, demonstrations and tests.

:func:`synthetic_network` makes a plausible made-up family around a baby: a
mother, usually a father who may live elsewhere and have the baby overnight,
sometimes a new partner, brothers and sisters (full, half and step), the
father's children by a previous partner (recorded in another network),
grandparents, a friend who visits. Each detail is recorded or missing at
random, so every requirement is met in some families and not in others. The
same seed always gives the same family. Every name, address and number is
invented; phone numbers are from the range set aside for drama.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..model import (
    CareArrangement,
    Fact,
    Household,
    Network,
    OtherName,
    ParentalResponsibility,
    Person,
    Provenance,
    Relationship,
    Residence,
)
from ..vocab import BIRTH_FATHER, BIRTH_MOTHER, CarePlace, DateAccuracy, NameKind, PRBasis, Sex, Source
from .facts import (
    FACT_ADULT_SERVICES,
    FACT_CURRENT_PARTNER,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    FACT_VISITORS,
)

SYNTHETIC_TODAY = date(2025, 3, 14)

_FEMALE = ("Amara", "Bethan", "Chloe", "Dana", "Esme", "Freya", "Gemma", "Hollie", "Imani", "Jade", "Kerry")
_MALE = (
    "Aaron",
    "Brandon",
    "Callum",
    "Dean",
    "Elliot",
    "Finn",
    "Grant",
    "Hamza",
    "Isaac",
    "Jordan",
    "Kieran",
)
_FAMILY = ("Ashdown", "Blackwood", "Corrie", "Dunmore", "Ellery", "Fenwick", "Garside", "Holloway", "Inchley")
_STREETS = ("Willow Close", "Mill Lane", "Orchard Way", "Station Road", "Beech Grove", "Canal Side")
_TOWNS = ("Testham", "Exampleton", "Mockford")


@dataclass
class _Family:
    """Accumulates records with fresh ids while a family is invented."""

    rng: random.Random
    today: date
    completeness: float
    people: dict[int, Person] = field(default_factory=dict)
    households: dict[int, Household] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    residences: list[Residence] = field(default_factory=list)
    care: list[CareArrangement] = field(default_factory=list)
    pr: list[ParentalResponsibility] = field(default_factory=list)
    outside: set[int] = field(default_factory=set)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id

    def has(self) -> bool:
        """Is a detail recorded? (True with the family's completeness.)"""
        return self.rng.random() < self.completeness

    def source(self) -> Provenance | None:
        days = self.rng.randint(1, 60)
        return _said_by(self.today, days) if self.has() else None

    def fact(self, key: str, value: str) -> dict[str, Fact]:
        return {key: Fact(key, value, self.source())} if self.has() else {}

    def household(self) -> int:
        hid = self.next_id()
        street = f"{self.rng.randint(1, 120)} {self.rng.choice(_STREETS)}"
        town = self.rng.choice(_TOWNS)
        self.households[hid] = Household(hid, street, "", town, f"ZZ{self.rng.randint(1, 99)} 9ZZ")
        return hid

    def person(self, sex: Sex, family: str, born: date | None, *, adult: bool) -> int:
        pid = self.next_id()
        given = self.rng.choice(_FEMALE if sex is Sex.FEMALE else _MALE)
        known_birth = born is not None and (not adult or self.has())
        facts: dict[str, Fact] = {}
        if adult:
            for key, value in ((FACT_OTHER_NAMES, "none"), (FACT_ADULT_SERVICES, "none known")):
                facts.update(self.fact(key, value))
        self.people[pid] = Person(
            id=pid,
            given_name=given,
            family_name=family if (not adult or self.has()) else "",
            name_absent_reason="" if (not adult or family) else "not given",
            sex=sex,
            birth_date=born if known_birth else None,
            birth_date_accuracy=DateAccuracy.ACCURATE if known_birth else DateAccuracy.UNKNOWN,
            phone=f"07700 900{self.rng.randint(0, 999):03d}" if adult and self.has() else "",
            other_names=(OtherName(NameKind.PREVIOUS, given, self.rng.choice(_FAMILY)),)
            if adult and self.rng.random() < 0.1
            else (),
            provenance={"birth_date": p} if known_birth and (p := self.source()) else {},
            facts=facts,
            seen_directly_on=self.today - timedelta(days=self.rng.randint(0, 90))
            if adult and self.has()
            else None,
        )
        return pid

    def lives_at(self, pid: int, hid: int) -> None:
        self.residences.append(Residence(self.next_id(), pid, hid, provenance=self.source()))

    def relate(self, a: int, code: str, b: int) -> None:
        self.relationships.append(Relationship(self.next_id(), a, b, code, provenance=self.source()))

    def add_fact(self, pid: int, key: str, value: str) -> None:
        p = self.people[pid]
        self.people[pid] = Person(**{**p.__dict__, "facts": {**p.facts, **self.fact(key, value)}})


@functools.lru_cache(maxsize=1024)
def _said_by(today: date, days: int) -> Provenance:
    """Said by the mother, recorded at midnight ``days`` before ``today``: one
    (immutable) provenance a day, shared by the records that have it."""
    when = datetime.combine(today - timedelta(days=days), datetime.min.time())
    return Provenance(Source.SAID_BY, "said by the mother", "hv.synthetic", when)


def _born(rng: random.Random, today: date, min_years: int, max_years: int) -> date:
    return today - timedelta(days=rng.randint(min_years * 365 + 5, max_years * 365))


def synthetic_network(
    seed: int, size: int = 8, today: date = SYNTHETIC_TODAY, *, first_id: int = 1
) -> Network:
    """A made-up family of about ``size`` people (at least 3) around one baby.

    Its people, households, relationships, stays, care and parental
    responsibility are numbered from ``first_id`` on, in the order they are
    made (one counter for all: a bulk load gives them these ids); the same
    seed gives the same family whatever ``first_id``."""
    rng = random.Random(seed)
    f = _Family(rng, today, completeness=rng.uniform(0.5, 0.95), last_id=first_id - 1)
    surname = rng.choice(_FAMILY)
    home = f.household()

    unborn = rng.random() < 0.1
    baby_born = (
        today + timedelta(days=rng.randint(10, 150))
        if unborn
        else today - timedelta(days=rng.randint(3, 360))
    )
    baby = f.person(rng.choice((Sex.FEMALE, Sex.MALE)), surname, baby_born, adult=False)
    if unborn:
        p = f.people[baby]
        f.people[baby] = Person(
            **{**p.__dict__, "birth_date_accuracy": DateAccuracy.EXPECTED, "provenance": {}}
        )
    f.add_fact(baby, FACT_VISITORS, "grandmother most days")
    f.lives_at(baby, home)

    mother_born = _born(rng, today, 17, 42)
    mother = f.person(Sex.FEMALE, surname, mother_born, adult=True)
    # the baby's older brothers and sisters are born when their parents are at least 14
    oldest_sibling = mother_born.year + 14
    f.lives_at(mother, home)
    f.relate(mother, BIRTH_MOTHER, baby)
    f.pr.append(
        ParentalResponsibility(f.next_id(), mother, baby, PRBasis.BIRTH_MOTHER, provenance=f.source())
    )
    parents = [mother]

    if rng.random() < 0.9:
        father_born = _born(rng, today, 18, 45)
        father = f.person(Sex.MALE, rng.choice(_FAMILY), father_born, adult=True)
        f.relate(father, BIRTH_FATHER, baby)
        parents.append(father)
        if f.has():
            basis = rng.choice((PRBasis.JOINT_REGISTRATION, PRBasis.MARRIED, PRBasis.NONE, PRBasis.UNKNOWN))
            f.pr.append(ParentalResponsibility(f.next_id(), father, baby, basis, provenance=f.source()))
        if rng.random() < 0.5:
            f.lives_at(father, home)
            f.relate(mother, "DOMPART", father)
        else:
            if f.has():
                f.lives_at(father, f.household())
            f.relate(mother, "x-former-partner", father)
            if not unborn and rng.random() < 0.6:
                f.care.append(
                    CareArrangement(
                        f.next_id(),
                        father,
                        baby,
                        place=CarePlace.CARER_HOME,
                        frequency=rng.choice(("on Friday nights", "every other weekend")) if f.has() else "",
                        overnight=rng.random() < 0.7,
                        provenance=f.source(),
                    )
                )
            if rng.random() < 0.4:  # his children by a previous partner, in another network
                ex = f.person(Sex.FEMALE, rng.choice(_FAMILY), _born(rng, today, 20, 45), adult=True)
                older = f.person(Sex.MALE, f.people[father].family_name, _born(rng, today, 1, 6), adult=False)
                f.relate(father, BIRTH_FATHER, older)
                f.relate(ex, BIRTH_MOTHER, older)
                f.outside |= {ex, older}

    for parent in parents:
        f.add_fact(parent, FACT_CURRENT_PARTNER, "none")
        f.add_fact(parent, FACT_OTHER_CHILDREN, "none")

    has_grandmother = False
    while len(f.people) - len(f.outside) < max(size, 3):
        kind = rng.random()
        if has_grandmother and 0.35 <= kind < 0.6:
            kind = 0.9
        if kind < 0.35:  # an older brother or sister of the baby (full or half)
            with_father = len(parents) > 1 and rng.random() < 0.5
            first_year = max(oldest_sibling, father_born.year + 14) if with_father else oldest_sibling
            oldest = max(2, min(12, today.year - first_year))
            sib = f.person(
                rng.choice((Sex.FEMALE, Sex.MALE)), surname, _born(rng, today, 1, oldest), adult=False
            )
            f.relate(mother, BIRTH_MOTHER, sib)
            if with_father:
                f.relate(parents[1], BIRTH_FATHER, sib)
            f.lives_at(sib, home)
        elif kind < 0.6:  # a grandmother, who may look after the baby
            has_grandmother = True
            gran = f.person(Sex.FEMALE, surname, _born(rng, today, 60, 80), adult=True)
            f.relate(gran, BIRTH_MOTHER, mother)
            f.lives_at(gran, f.household())
            if not unborn and rng.random() < 0.5:
                f.care.append(
                    CareArrangement(
                        f.next_id(), gran, baby, CarePlace.CARER_HOME, "on Tuesdays", provenance=f.source()
                    )
                )
        elif kind < 0.8:  # a friend who visits
            friend = f.person(rng.choice((Sex.FEMALE, Sex.MALE)), rng.choice(_FAMILY), None, adult=True)
            f.relate(friend, rng.choice(("FRND", "x-regular-visitor")), rng.choice((baby, mother)))
        else:  # a relative of the mother
            aunt = f.person(Sex.FEMALE, surname, _born(rng, today, 20, 50), adult=True)
            f.relate(aunt, "FAMMEMB", mother)

    return Network(
        id=seed,
        name=f"{surname} family",
        index_child_ids=(baby,),
        people=f.people,
        relationships=tuple(f.relationships),
        households=f.households,
        residences=tuple(f.residences),
        care=tuple(f.care),
        parental_responsibility=tuple(f.pr),
        outside_ids=frozenset(f.outside),
    )
