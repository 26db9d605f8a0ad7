"""A made-up population of people for the match tests and the benchmark, with
known duplicates: some people are recorded twice, the second time by another
agency, with the mistakes agencies make (a nickname, a misspelt or changed
family name, day and month swapped, an estimated date of birth, a missing or
old postcode, no NHS number). Pure Python, no Django; the same seed gives the
same people. Every name, number and postcode is invented."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

from kinmap.core.matching import MatchRecord

GIVEN = [
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Jack",
    "Ava",
    "George",
    "Mia",
    "Noah",
    "Lily",
    "Leo",
    "Ivy",
    "Jacob",
    "Rosie",
    "Muhammad",
    "Zara",
    "Daniel",
    "Grace",
    "Alfie",
    "Freya",
    "Thomas",
    "Sophie",
    "Charlie",
    "Emily",
    "Oscar",
    "Ella",
    "James",
    "Poppy",
    "William",
    "Evie",
    "Joshua",
    "Chloe",
    "Ethan",
    "Jessica",
    "Arthur",
    "Millie",
    "Henry",
    "Ruby",
    "Theo",
    "Florence",
    "Aaron",
    "Aisha",
    "Ibrahim",
    "Fatima",
    "Kai",
    "Priya",
    "Arjun",
    "Zainab",
    "Callum",
    "Niamh",
    "Rhys",
    "Cerys",
    "Owen",
    "Seren",
    "Finlay",
    "Eilidh",
    "Lewis",
    "Kirsty",
    "Ryan",
    "Megan",
    "Liam",
    "Hannah",
    "Tyler",
    "Amber",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Khan",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clarke",
    "Clark",
    "Turner",
    "Hill",
    "Scott",
    "Cooper",
    "Morris",
    "Ward",
    "Moore",
    "King",
    "Watson",
    "Baker",
    "Harrison",
    "Morgan",
    "Young",
    "Allen",
    "Mitchell",
    "Anderson",
    "Ahmed",
    "Hussain",
    "Ali",
    "Begum",
    "Singh",
    "Kaur",
    "Shah",
    "Rahman",
    "Nowak",
    "Kowalski",
    "Murphy",
    "Kelly",
    "Byrne",
    "Ryan",
    "OBrien",
    "Doherty",
    "Campbell",
    "Stewart",
    "MacDonald",
    "Reid",
    "Murray",
    "Ross",
    "Fraser",
    "Hamilton",
    "Graham",
    "Kennedy",
    "Bell",
    "Price",
    "Lloyd",
    "Jenkins",
]
NICKNAMES = {
    "William": "Bill",
    "Thomas": "Tom",
    "Daniel": "Dan",
    "James": "Jim",
    "Joshua": "Josh",
    "Jessica": "Jess",
    "Charlie": "Charles",
    "Sophie": "Sophia",
    "Oliver": "Ollie",
    "Henry": "Harry",
}


def _postcode(rng: random.Random) -> str:
    return f"NS{rng.randrange(1, 40)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # two letters the wrong way round
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:  # a letter left out
        return name[:i] + name[i + 1 :]
    return name[:i] + rng.choice("aeiouy") + name[i + 1 :]  # a vowel misheard


def _swap_day_month(d: date) -> date:
    try:
        return d.replace(day=d.month, month=d.day) if d.day <= 12 else d
    except ValueError:
        return d


def _variant(rng: random.Random, r: MatchRecord, pid: int) -> MatchRecord:
    """``r`` as another agency might have recorded them."""
    given, family, born = r.given_name, r.family_name, r.birth_date
    if rng.random() < 0.15:
        given = NICKNAMES.get(given, _typo(rng, given))
    elif rng.random() < 0.1:
        given = _typo(rng, given)
    if rng.random() < 0.1:
        family = _typo(rng, family)
    estimated = False
    if born is not None:
        roll = rng.random()
        if roll < 0.05:
            born = _swap_day_month(born)
        elif roll < 0.1:
            born, estimated = born.replace(month=1, day=1) if born.month != 2 else born, True
        elif roll < 0.13:
            born = born + timedelta(days=rng.choice((-1, 1)))
    postcodes = r.postcodes
    roll = rng.random()
    if roll < 0.2:
        postcodes = ()
    elif roll < 0.3:
        postcodes = (_postcode(rng),)
    nhs = r.nhs_number if rng.random() < 0.4 else ""
    phones = r.phones if rng.random() < 0.5 else ()
    return replace(
        r,
        given_name=given,
        family_name=family,
        birth_date=born,
        birth_date_estimated=estimated,
        postcodes=postcodes,
        nhs_number=nhs,
        phones=phones,
        person_id=pid,
    )


def population(
    size: int, *, duplicate_share: float = 0.1, seed: int = 1
) -> Iterator[tuple[MatchRecord, int]]:
    """``size`` records (person ids 1..size) with the id of the person each is
    a record of (its cluster): about ``duplicate_share`` of them are a second
    record of someone already listed (:func:`_variant`)."""
    rng = random.Random(seed)
    originals: list[MatchRecord] = []
    pid = 0
    start = date(1950, 1, 1)
    while pid < size:
        pid += 1
        if originals and rng.random() < duplicate_share:
            first = rng.choice(originals)
            yield _variant(rng, first, pid), first.person_id or 0
            continue
        born = start + timedelta(days=rng.randrange(27000))
        r = MatchRecord(
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            birth_date=born if rng.random() < 0.95 else None,
            nhs_number=f"{rng.randrange(10**9, 10**10)}" if rng.random() < 0.6 else "",
            postcodes=(_postcode(rng),) if rng.random() < 0.85 else (),
            phones=(f"07700{rng.randrange(10**5, 10**6)}",) if rng.random() < 0.4 else (),
            person_id=pid,
        )
        originals.append(r)
        yield r, pid
