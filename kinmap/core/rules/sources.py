"""Requirement 12: the source of each key fact.

Key facts are every detail the family picture rests on: every detail of a
person that another requirement reads (name, date of birth, NHS number,
telephone number and email address), every answer in words another
requirement reads, current relationships touching a live member, current
addresses (residences), current care arrangements, parental responsibility
records and care orders.

Which details of a person are key is not kept by hand alone: the test
``tests/core/test_rules_sources.py`` runs every other rule over families whose
people record what is read from them, and fails when a rule reads a detail
that is neither in :data:`SOURCED_PERSON_FIELDS` nor explained in
:data:`UNSOURCED_PERSON_FIELDS`; the answers in words are all of
:data:`kinmap.core.rules.facts.FACT_KEYS` (less those whose recorder the
requirement that reads them already asks for).
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Person
from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet
from .facts import (
    FACT_BIRTH_FATHER_ABSENT,
    FACT_BIRTH_MOTHER_ABSENT,
    FACT_KEYS,
    MISSING_LABELS,
    describe_missing,
)
from .scope import who

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CARE = SubjectKind.CARE
_CARE_ORDER = SubjectKind.CARE_ORDER
_RELATIONSHIP = SubjectKind.RELATIONSHIP
_RESIDENCE = SubjectKind.RESIDENCE
_RESPONSIBILITY = SubjectKind.RESPONSIBILITY

#: The details of a person whose source requirement 12 asks for: the missing
#: key of the gap, and the fields (``Person.provenance`` is keyed by field
#: name) that must each carry a source when recorded.
SOURCED_PERSON_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name_source", ("given_name", "family_name")),
    ("birth_date_source", ("birth_date",)),
    ("nhs_number_source", ("nhs_number",)),
    ("phone_source", ("phone",)),
    ("email_source", ("email",)),
)

#: Details of a person that the rules read but that carry no source of their
#: own, with the reason. The test of this module fails for any other detail a
#: rule reads that is not in :data:`SOURCED_PERSON_FIELDS`.
UNSOURCED_PERSON_FIELDS: dict[str, str] = {
    "id": "the record's identity, not a fact about the person",
    "birth_date_accuracy": "how accurate the date of birth is: sourced with the date of birth",
    "phone_masked": "whether the telephone number is protected: part of the number, sourced with it",
    "facts": "answers in words: each is asked for its own source (SOURCED_FACT_KEYS)",
    "seen_directly_on": "a practitioner's own record that they saw or spoke to the person: its "
    "source is that practitioner (requirement 11), and the audit trail says who recorded it",
    "death_date": "asked only of the dead, who are out of this requirement's scope (a live "
    "member has no date of death)",
    "other_names": "previous names and aliases have no place for a source yet (a known shortfall)",
}

#: Answers in words whose source requirement 12 asks for: every answer a rule
#: reads, except the reasons no birth parent is recorded, whose recorder and
#: date requirements 1 and 2 ask for themselves.
SOURCED_FACT_KEYS = frozenset(FACT_KEYS - {FACT_BIRTH_MOTHER_ABSENT, FACT_BIRTH_FATHER_ABSENT})

_FIELD_WORDS = {
    "name_source": "source of the name",
    "phone_source": "source of the telephone number",
    "email_source": "source of the email address",
}
MISSING_LABELS.update(_FIELD_WORDS)


def fact_source_key(fact_key: str) -> str:
    """The missing key for the source of the answer ``fact_key``:
    ``"other-names"`` -> ``"other-names-source"``."""
    return f"{fact_key}-source"


for _key in SOURCED_FACT_KEYS:
    MISSING_LABELS[fact_source_key(_key)] = f"source of the answer about {_key.replace('-', ' ')}"


# the answers in words whose source is asked, with their missing keys
_SOURCE_KEYS = {k: fact_source_key(k) for k in SOURCED_FACT_KEYS}


def _unsourced_function() -> Callable[[Person], tuple[str, ...]]:
    """:func:`unsourced_person_details`, written out from
    :data:`SOURCED_PERSON_FIELDS`: one test per field, so that each field is
    read as a plain attribute (a loop over the names with ``getattr`` took
    about a tenth of the engine's time), then the person's answers in words.
    A field is recorded when it is true: the fields are strings, a date or
    None, for which that is "not '' and not None", tested without a tuple.
    The answers are the person's few (not every key asked about), by key as
    listed; one counts when its words are not blank (``fact_value``). One
    function and no comprehension: each is a frame in Python 3.11, and the
    requirement asks about every live member of every family."""
    lines = ["def unsourced_person_details(person):", "    prov = person.provenance", "    missing = []"]
    for key, fields in SOURCED_PERSON_FIELDS:
        test = " or ".join(f"(person.{f} and {f!r} not in prov)" for f in fields)
        lines.append(f"    if {test}:")
        lines.append(f"        missing.append({key!r})")
    lines += [
        "    facts = person.facts",
        "    if facts:",
        "        unsourced = None",
        "        for k, fact in facts.items():",
        "            if k in source_keys and fact.provenance is None and fact.value.strip():",
        "                if unsourced is None:",
        "                    unsourced = [k]",
        "                else:",
        "                    unsourced.append(k)",
        "        if unsourced is not None:",
        "            unsourced.sort()",
        "            for k in unsourced:",
        "                missing.append(source_keys[k])",
        "    return tuple(missing) if missing else ()",
    ]
    env: dict[str, object] = {"source_keys": _SOURCE_KEYS}
    exec("\n".join(lines), env)  # noqa: S102 - the source is made above from the table's names only
    made = env["unsourced_person_details"]
    made.__doc__ = """The missing keys for the person's recorded key details and answers that
    have no source, in a fixed order (details, then answers by key)."""
    return made  # type: ignore[return-value]


unsourced_person_details = _unsourced_function()


# The gaps are made here without Context.unmet (a call per gap), and a
# person's name and subject are found inline: requirement 12 finds about
# half of a family's gaps, all at its usual severity.


def _person_gaps(ctx: Context, out: list[Unmet]) -> None:
    scope = ctx.scope
    live = scope.live_ids
    rule_id, severity = ctx.rule.id, ctx.rule.severity
    unsourced, subjects = unsourced_person_details, ctx.person_subjects
    for pid, person in scope.people_in_order:
        if pid not in live:
            continue
        missing = unsourced(person)
        if missing:
            subject = subjects.get(pid)
            if subject is None:
                subject = ctx.person_subject(pid)
            # who(person), written out
            name = f"{person.given_name} {person.family_name}".strip() or _NO_NAME
            out.append(
                Unmet(
                    rule_id,
                    subject,
                    severity,
                    f"{describe_missing(missing)} not recorded for {name}",
                    missing,
                )
            )


_NO_NAME = who(Person(0))  # how who() names a person with no name and no role


_SOURCE = ("source",)


def _record_gaps(ctx: Context, out: list[Unmet]) -> None:
    scope = ctx.scope
    network, today = scope.network, scope.today
    live, outside, people = scope.live_ids, network.outside_ids, network.people
    rule_id, severity = ctx.rule.id, ctx.rule.severity
    for r in ctx.graph.relationships_now:
        # one recorded in another family network (with someone outside this
        # one) is that network's to source: not asked, nor named, here
        if r.provenance is not None or r.from_id in outside or r.to_id in outside:
            continue
        if r.from_id in live or r.to_id in live:
            out.append(
                Unmet(
                    rule_id,
                    Subject(_RELATIONSHIP, r.id),
                    severity,
                    "Source not recorded for a relationship",
                    _SOURCE,
                )
            )
    for res in network.residences:
        start, end = res.start, res.end
        # res.current_on(today), written out
        if (
            res.provenance is None
            and res.person_id in live
            and (start is None or start <= today)
            and (end is None or end > today)
        ):
            out.append(
                Unmet(
                    rule_id,
                    Subject(_RESIDENCE, res.id),
                    severity,
                    f"Source not recorded for the address of {who(people[res.person_id])}",
                    _SOURCE,
                )
            )
    for care in scope.care_now:
        if care.provenance is None:
            out.append(
                Unmet(
                    rule_id,
                    Subject(_CARE, care.id, care.child_id),
                    severity,
                    f"Source not recorded for the care {who(people[care.carer_id])} gives",
                    _SOURCE,
                )
            )
    for pr in network.parental_responsibility:
        if pr.provenance is None and pr.person_id in live and pr.child_id in live:
            out.append(
                Unmet(
                    rule_id,
                    Subject(_RESPONSIBILITY, pr.id, pr.child_id),
                    severity,
                    f"Source not recorded for the parental responsibility of {who(people[pr.person_id])}",
                    _SOURCE,
                )
            )
    for order in network.care_orders:
        if order.provenance is None and order.child_id in live:
            out.append(
                Unmet(
                    rule_id,
                    Subject(_CARE_ORDER, order.id, order.child_id),
                    severity,
                    f"Source not recorded for the care order for {who(people[order.child_id])}",
                    _SOURCE,
                )
            )


def check_sources(ctx: Context) -> list[Unmet]:
    """Requirement 12.

    * In scope: each live member's recorded name, date of birth, NHS number,
      telephone number and email address (:data:`SOURCED_PERSON_FIELDS`) and
      each answer in words another requirement reads
      (:data:`SOURCED_FACT_KEYS`); current relationships touching a live
      member, unless recorded in another family network (with someone
      outside this one); live members' current addresses; current care arrangements;
      parental responsibility records of live members; care orders for a live
      child.
    * Satisfied by: a source recorded for each of them (said by, seen
      directly, birth registration, national demographics, another agency).
    * Not satisfied by: a detail with no source, even when the other details
      of the person have one. Not asked: details not recorded (other
      requirements ask for them), past records, people who have died, and
      the details in :data:`UNSOURCED_PERSON_FIELDS` (previous names and
      aliases have no place for a source yet: a known shortfall).
    """
    # gaps gathered in a list (about half a family's gaps: no generator resumed per gap)
    out: list[Unmet] = []
    _person_gaps(ctx, out)
    _record_gaps(ctx, out)
    return out


RULES: tuple[Rule, ...] = (
    Rule(
        id="R12-sources",
        number=12,
        title="Source recorded for each key fact",
        severity=Severity.ROUTINE,
        applies_when="For every current name, date of birth, NHS number, telephone number, email "
        "address, answer in words, relationship, address, care arrangement, parental "
        "responsibility record and care order.",
        why_we_ask="Writing down where each detail came from tells colleagues how sure we can be "
        "of it, and who to go back to if it needs checking.",
        suggested_wording="(For the practitioner) Where did this come from: who told you, or did "
        "you see it on a document or another service's record?",
        fact="A source on the detail: said by whom, seen directly, birth registration, national "
        "demographics or another agency.",
        check=check_sources,
    ),
)
