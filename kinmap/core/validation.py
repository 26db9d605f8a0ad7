"""Checks that keep a family network possible. Plain Python.

Services build the network as it would be after a change and call
:func:`network_problems`; any problem refuses the change and nothing is saved.
Each problem names the record and the field at fault, with a message a
practitioner can act on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from .dates import EXPECTED_LATEST_AFTER, KnownDate, must_be_before
from .limits import date_range_problem
from .model import Network, ParentalResponsibility, Person, Residence
from .nhs import nhs_number_error
from .text import has_letter, name_error, text_error
from .vocab import (
    BIRTH_FATHER,
    BIRTH_MOTHER,
    GRANDPARENT,
    LEGAL_PARENT,
    PARENT_CODES,
    PR_EXCLUSIVE_ORDERS,
    REL_BY_CODE,
    DateAccuracy,
    LegalParentBasis,
)

LEGAL_PARENT_BASES = frozenset(b.value for b in LegalParentBasis)

# A child can be born up to ten months after the death of their birth father.
MAX_POSTHUMOUS_BIRTH = timedelta(days=305)

# The youngest a birth parent can be at the birth, in whole years. Younger is
# refused as impossible (a date of birth entered wrongly); a parent under 18
# is recorded and asked about (kinmap.core.rules.young_parents).
MIN_BIRTH_PARENT_AGE = 10

# A baby can arrive up to six weeks after the expected date (42 weeks of
# pregnancy), so an age at an expected birth is measured at that latest day.
MAX_BIRTH_AFTER_EXPECTED = EXPECTED_LATEST_AFTER

# Links that make their from-person an ancestor of their to-person: every
# parent link (birth, adoptive, step, foster) and grandparent.
ANCESTOR_CODES = PARENT_CODES | {GRANDPARENT}


@dataclass(frozen=True)
class Problem:
    record: str  # "person", "relationship", "care", "residence", "pr"
    record_id: int
    field: str
    message: str


def person_problems(p: Person, today: date) -> list[Problem]:
    out: list[Problem] = []

    def add(field: str, message: str) -> None:
        out.append(Problem("person", p.id, field, message))

    if not p.given_name.strip() and not p.family_name.strip() and not p.name_absent_reason.strip():
        add(
            "given_name",
            "Enter a name, or say why the name is not known",
        )
    out_of_range: set[str] = set()
    for field, label, value in (
        ("birth_date", "Date of birth", p.birth_date),
        ("birth_date", "The second date of birth", p.birth_date_latest),
        ("death_date", "Date of death", p.death_date),
        ("death_date", "The second date of death", p.death_date_latest),
        ("seen_directly_on", "Date seen directly", p.seen_directly_on),
    ):
        if value is not None and date_range_problem(value):
            add(field, f"{label} {date_range_problem(value)}")
            out_of_range.add(field)
    for field, label, known in (
        ("birth_date", "Date of birth", p.birth),
        ("death_date", "Date of death", p.death),
    ):
        err = known.problem(label) if known.on is not None or field == "birth_date" else None
        if err and field not in out_of_range:
            add(field, err)
            out_of_range.add(field)
    for field, message in name_problems(p):
        add(field, message)
    if p.nhs_number:
        err = nhs_number_error(p.nhs_number)
        if err:
            add("nhs_number", err)
    if out_of_range & {"birth_date", "death_date"}:
        return out  # the checks below compare dates that are already refused
    if p.birth_date is not None:
        if p.birth_date_accuracy is DateAccuracy.EXPECTED:
            if p.death_date is None and p.birth_date < today - timedelta(days=31):
                add(
                    "birth_date",
                    "An expected date of birth must not be more than a month ago: "
                    "record the actual date of birth",
                )
        elif p.birth.earliest() > today:
            add(
                "birth_date",
                f"{_said('Date of birth', p.birth)} must be today or in the past, unless the child "
                "is unborn (choose 'Expected (unborn)')",
            )
    elif p.birth_date_accuracy not in (DateAccuracy.UNKNOWN, DateAccuracy.EXPECTED):
        add("birth_date", "Enter a date of birth, or choose 'Not known'")
    if p.death_date is not None:
        if p.death.earliest() > today:
            add("death_date", f"{_said('Date of death', p.death)} must be today or in the past")
        if p.birth_date is not None and not p.unborn and must_be_before(p.death, p.birth):
            add(
                "death_date",
                f"{_said('Date of death', p.death)} must be on or after "
                f"{_said('the date of birth', p.birth)}",
            )
    return out


def _said(label: str, known: KnownDate) -> str:
    """``label`` ("Date of death"), followed for a date that is not exact by the
    date in words: "Date of death (about March 2019)"."""
    return label if known.accuracy is DateAccuracy.EXACT else f"{label} ({known.words()})"


# The labels of a person's text fields, as their messages name them.
_NAME_FIELDS = (("given_name", "given name"), ("family_name", "family name"))


def name_problems(p: Person) -> list[tuple[str, str]]:
    """(field, message) for each name, identifier or contact detail of ``p`` that
    is not what it seems (``kinmap.core.text``): a name without a letter or with
    hidden characters, a reason or telephone number or email address with hidden
    characters, a telephone number without a digit. Other names are named
    ``other_names[i].given_name``."""
    out: list[tuple[str, str]] = []
    for field, what in _NAME_FIELDS:
        err = name_error(getattr(p, field), what=what)
        if err:
            out.append((field, err))
    for i, other in enumerate(p.other_names):
        for field, what in _NAME_FIELDS:
            err = name_error(getattr(other, field), what=f"other {what}")
            if err:
                out.append((f"other_names[{i}].{field}", err))
    reason = p.name_absent_reason
    if reason.strip():
        err = text_error(reason, what="The reason the name is not known")
        if err is None and not has_letter(reason):
            err = "Say in words why the name is not known"
        if err:
            out.append(("name_absent_reason", err))
    if p.phone:
        err = text_error(p.phone, what="Telephone number")
        if err is None and not any(ch in "0123456789" for ch in p.phone):
            err = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
        if err:
            out.append(("phone", err))
    err = text_error(p.email, what="Email address")
    if err:
        out.append(("email", err))
    return out


def network_problems(network: Network, today: date) -> list[Problem]:
    """Every problem in the network, in a stable order."""
    out: list[Problem] = []
    people = network.people
    for p in people.values():
        out.extend(person_problems(p, today))

    spans = (
        [("relationship", r) for r in network.relationships]
        + [("care", c) for c in network.care]
        + [("residence", r) for r in network.residences]
        + [("pr", r) for r in network.parental_responsibility]
    )
    for record, row in spans:
        for field, label, known in (
            ("start", "The start date", row.start_known),
            ("end", "The end date", row.end_known),
        ):
            bad = next(
                (
                    date_range_problem(v)
                    for v in (known.on, known.latest)
                    if v is not None and date_range_problem(v)
                ),
                "",
            )
            if bad:
                out.append(Problem(record, row.id, field, f"{label} {bad}"))
            elif known.on is not None and known.problem(label):
                out.append(Problem(record, row.id, field, str(known.problem(label))))

    birth_parent: dict[tuple[int, str], int] = {}
    # ancestors_of[x]: the people recorded as x's parents or grandparents
    ancestors_of: dict[int, set[int]] = defaultdict(set)
    for r in network.relationships:
        if r.from_id == r.to_id:
            out.append(Problem("relationship", r.id, "to", "A person cannot be related to themselves"))
            continue
        if r.type not in REL_BY_CODE:
            out.append(
                Problem(
                    "relationship",
                    r.id,
                    "type",
                    f"Choose a relationship type from the list ({r.type!r} is not one)",
                )
            )
            continue
        if r.type == LEGAL_PARENT and r.legal_basis not in LEGAL_PARENT_BASES:
            out.append(
                Problem(
                    "relationship",
                    r.id,
                    "legal_basis",
                    "Choose how they are the child's legal parent (for a second mother: married to or "
                    "the civil partner of the birth mother at conception, or agreed parenthood at a "
                    "fertility clinic; or a parental order or an adoption order)",
                )
            )
        elif r.type != LEGAL_PARENT and r.legal_basis:
            out.append(
                Problem(
                    "relationship",
                    r.id,
                    "legal_basis",
                    "Only a legal parent has a basis of legal parenthood: choose 'legal parent of'",
                )
            )
        if r.type not in ANCESTOR_CODES:
            continue
        ancestors_of[r.to_id].add(r.from_id)
        if r.type not in PARENT_CODES:
            continue
        if r.type in (BIRTH_MOTHER, BIRTH_FATHER):
            key = (r.to_id, r.type)
            if key in birth_parent and birth_parent[key] != r.from_id:
                which = "birth mother" if r.type == BIRTH_MOTHER else "birth father"
                child = people.get(r.to_id)
                name = child.display_name if child else "This child"
                out.append(Problem("relationship", r.id, "type", f"{name} already has a {which} recorded"))
            birth_parent.setdefault(key, r.from_id)
        parent, child = people.get(r.from_id), people.get(r.to_id)
        if parent is None or child is None:
            continue
        if (
            r.type in (BIRTH_MOTHER, BIRTH_FATHER)
            and parent.birth.known
            and child.birth.known
            and not parent.unborn
            and child.birth.latest_day() <= parent.birth.earliest()
        ):
            out.append(
                Problem(
                    "relationship",
                    r.id,
                    "from",
                    f"{child.display_name} cannot be born before their parent {parent.display_name}",
                )
            )
        elif r.type in (BIRTH_MOTHER, BIRTH_FATHER):
            young = _too_young_birth_parent(parent, child)
            if young is not None:
                out.append(Problem("relationship", r.id, "from", young))
        if (
            r.type == BIRTH_FATHER
            and parent.death.known
            and child.birth.known
            and child.birth.earliest() - parent.death.latest_day() > MAX_POSTHUMOUS_BIRTH
        ):
            out.append(
                Problem(
                    "relationship",
                    r.id,
                    "from",
                    f"{child.display_name} was born more than 10 months after the death of "
                    f"{parent.display_name}, so he cannot be the birth father",
                )
            )
        if (
            r.type == BIRTH_MOTHER
            and parent.death.known
            and child.birth.known
            and not child.unborn
            and must_be_before(parent.death, child.birth)
        ):
            out.append(
                Problem(
                    "relationship",
                    r.id,
                    "from",
                    f"{child.display_name} was born after the death of {parent.display_name}",
                )
            )

    # own parent or ancestor: a cycle in the parent and grandparent links (no
    # one is both an ancestor and a descendant of another). Every link of a
    # cycle closes it; report each cycle once, on its last link (the newest).
    in_reported_cycle: set[int] = set()
    cycles: list[Problem] = []
    for r in reversed(network.relationships):
        if r.type not in ANCESTOR_CODES or r.from_id == r.to_id or r.from_id in in_reported_cycle:
            continue
        if _is_ancestor(r.to_id, r.from_id, ancestors_of):
            in_reported_cycle |= _cycle_members(r.from_id, r.to_id, ancestors_of)
            cycles.append(
                Problem("relationship", r.id, "to", "A person cannot be their own parent or ancestor")
            )
    out.extend(reversed(cycles))

    for c in network.care:
        carer = people.get(c.carer_id)
        if c.carer_id == c.child_id:
            out.append(Problem("care", c.id, "carer", "A child cannot be their own carer"))
        if carer and carer.death.known and (c.end is None or must_be_before(carer.death, c.end_known)):
            out.append(
                Problem(
                    "care",
                    c.id,
                    "carer",
                    f"{carer.display_name} has died ({carer.death.words()}) and cannot "
                    "give care after that date",
                )
            )
        if _ends_before_start(c):
            out.append(Problem("care", c.id, "end", _END_BEFORE_START))

    out.extend(_pr_problems(network))

    by_person: dict[int, list[Residence]] = defaultdict(list)
    for res in network.residences:
        if _ends_before_start(res):
            out.append(
                Problem(
                    "residence",
                    res.id,
                    "end",
                    "The date they left must be on or after the date they moved in",
                )
            )
            continue
        by_person[res.person_id].append(res)
    for pid, rows in by_person.items():
        rows.sort(key=lambda x: (x.start or date.min, x.id))
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if a.id == b.id:
                    continue
                if _must_overlap(a, b):
                    who = people[pid].display_name if pid in people else "This person"
                    where = "this" if a.household_id == b.household_id else "another"
                    out.append(
                        Problem(
                            "residence",
                            b.id,
                            "start",
                            f"{who} already lives at {where} address at that time: "
                            "end that stay first, or change the dates",
                        )
                    )
    return out


def _pr_problems(network: Network) -> list[Problem]:
    """Parental responsibility records that cannot be: ending before they
    start, starting before the child's birth or after the holder's death, an
    adoption or parental order without the date it was made, and two records
    for the same person and child at the same time."""
    out: list[Problem] = []
    people = network.people
    by_pair: dict[tuple[int, int], list[ParentalResponsibility]] = defaultdict(list)
    for r in network.parental_responsibility:
        holder, child = people.get(r.person_id), people.get(r.child_id)
        if r.person_id == r.child_id:
            out.append(
                Problem("pr", r.id, "person", "A child cannot hold parental responsibility for themselves")
            )
        if _ends_before_start(r):
            out.append(Problem("pr", r.id, "end", _END_BEFORE_START))
            continue
        if r.basis in PR_EXCLUSIVE_ORDERS and r.start is None:
            out.append(Problem("pr", r.id, "start", "Enter the date the order was made"))
        if (
            child
            and r.start
            and child.birth.known
            and not child.unborn
            and must_be_before(r.start_known, child.birth)
        ):
            out.append(
                Problem(
                    "pr",
                    r.id,
                    "start",
                    f"Parental responsibility cannot start before {child.display_name} was born "
                    f"({child.birth.words()})",
                )
            )
        if holder and holder.death.known and r.start and must_be_before(holder.death, r.start_known):
            out.append(
                Problem(
                    "pr",
                    r.id,
                    "start",
                    f"{holder.display_name} had died ({holder.death.words()}) before this started",
                )
            )
        by_pair[(r.person_id, r.child_id)].append(r)
    for rows in by_pair.values():
        # each overlap is reported once, on the newer record of the two
        clashing = sorted(
            {max(a.id, b.id) for i, a in enumerate(rows) for b in rows[i + 1 :] if _must_overlap(a, b)}
        )
        for rid in clashing:
            pid = rows[0].person_id
            who = people[pid].display_name if pid in people else "This person"
            out.append(
                Problem(
                    "pr",
                    rid,
                    "start",
                    f"{who} already has a parental responsibility record for this child at that "
                    "time: end it first, or change the dates",
                )
            )
    return out


def _too_young_birth_parent(parent: Person, child: Person) -> str | None:
    """The message refusing ``parent`` as the birth parent of ``child`` when the
    parent would be younger than :data:`MIN_BIRTH_PARENT_AGE` at the birth under
    every reading of the dates (``kinmap.core.dates``): from the parent's
    earliest possible birth to the child's latest (an unborn child's birth is
    taken at its latest, :data:`MAX_BIRTH_AFTER_EXPECTED` after the expected
    date), else None."""
    if not parent.birth.known or not child.birth.known or parent.unborn:
        return None
    parent_born, born = parent.birth.earliest(), child.birth.latest_day()
    age = born.year - parent_born.year - ((born.month, born.day) < (parent_born.month, parent_born.day))
    if age >= MIN_BIRTH_PARENT_AGE:
        return None
    when = "would be" if child.unborn else "was"
    exact = parent.birth_date_accuracy is DateAccuracy.EXACT and child.birth_date_accuracy in (
        DateAccuracy.EXACT,
        DateAccuracy.EXPECTED,
    )
    at_most = "" if exact else "at most "
    return (
        f"{parent.display_name} {when} {at_most}{age} at the birth of {child.display_name}: a birth "
        f"parent cannot be younger than {MIN_BIRTH_PARENT_AGE}. Check both dates of birth"
    )


def _is_ancestor(candidate: int, person: int, parents_of: dict[int, set[int]]) -> bool:
    """Is ``candidate`` an ancestor of ``person`` (or the person themself)?"""
    seen: set[int] = set()
    stack = [person]
    while stack:
        cur = stack.pop()
        if cur == candidate:
            return True
        if cur in seen:
            continue
        seen.add(cur)
        stack.extend(parents_of.get(cur, ()))
    return False


def _cycle_members(parent: int, child: int, parents_of: dict[int, set[int]]) -> set[int]:
    """Everyone on a parent-link path from ``child`` back to ``parent`` (the
    cycle closed by ``parent`` being recorded as a parent of ``child``)."""
    ancestors_of_parent: set[int] = set()
    stack = [parent]
    while stack:
        cur = stack.pop()
        if cur in ancestors_of_parent:
            continue
        ancestors_of_parent.add(cur)
        stack.extend(parents_of.get(cur, ()))
    # a person is on the cycle if they are an ancestor of the parent and the
    # child is one of their ancestors
    return {p for p in ancestors_of_parent if _is_ancestor(child, p, parents_of)}


_END_BEFORE_START = "The end date must be on or after the start date"


class _Span(Protocol):
    """What the span checks read of a residence, relationship, care or PR record."""

    @property
    def start(self) -> date | None: ...
    @property
    def end(self) -> date | None: ...
    @property
    def start_known(self) -> KnownDate: ...
    @property
    def end_known(self) -> KnownDate: ...


def _ends_before_start(row: _Span) -> bool:
    """Does ``row`` end before it starts under every reading of its dates?"""
    return row.start is not None and row.end is not None and must_be_before(row.end_known, row.start_known)


def _must_overlap(a: _Span, b: _Span) -> bool:
    """Do two periods overlap under every reading of their dates? A period
    runs from its latest possible start to its earliest possible end (half
    open); no start is from always, no end is still running."""
    return _overlap(
        a.start_known.latest_day() if a.start else None,
        a.end_known.earliest() if a.end else None,
        b.start_known.latest_day() if b.start else None,
        b.end_known.earliest() if b.end else None,
    )


def _overlap(a0: date | None, a1: date | None, b0: date | None, b1: date | None) -> bool:
    """Half-open intervals [start, end) with None meaning open-ended."""
    lo_a, hi_a = a0 or date.min, a1 or date.max
    lo_b, hi_b = b0 or date.min, b1 or date.max
    return lo_a < hi_b and lo_b < hi_a
