"""Requirement 12: the source of each key fact.

Key facts are the current ones the family picture rests on: dates of birth and
NHS numbers of live members, current relationships touching a live member,
current addresses, current care arrangements and parental responsibility.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet
from .facts import describe_missing
from .scope import who

_PERSON_FIELDS = (("birth_date", "birth_date_source"), ("nhs_number", "nhs_number_source"))


def _person_gaps(ctx: Context) -> Iterator[Unmet]:
    scope = ctx.scope
    for pid, person in sorted(ctx.network.people.items()):
        if not scope.is_live_member(pid):
            continue
        missing = tuple(
            key for field, key in _PERSON_FIELDS if getattr(person, field) and field not in person.provenance
        )
        if missing:
            yield ctx.unmet(
                Subject(SubjectKind.PERSON, pid),
                f"{describe_missing(missing)} not recorded for {who(person)}",
                missing,
            )


def _record_gaps(ctx: Context) -> Iterator[Unmet]:
    scope, network, today = ctx.scope, ctx.network, ctx.today
    live = scope.is_live_member
    for r in network.relationships:
        if r.provenance is None and r.current_on(today) and (live(r.from_id) or live(r.to_id)):
            yield ctx.unmet(
                Subject(SubjectKind.RELATIONSHIP, r.id),
                "Source not recorded for a relationship",
                ("source",),
            )
    for res in network.residences:
        if res.provenance is None and res.current_on(today) and live(res.person_id):
            yield ctx.unmet(
                Subject(SubjectKind.RESIDENCE, res.id),
                f"Source not recorded for the address of {who(scope.person(res.person_id))}",
                ("source",),
            )
    for care in scope.care_now:
        if care.provenance is None:
            yield ctx.unmet(
                Subject(SubjectKind.CARE, care.id, care.child_id),
                f"Source not recorded for the care {who(scope.person(care.carer_id))} gives",
                ("source",),
            )
    for pr in network.parental_responsibility:
        if pr.provenance is None and live(pr.person_id) and live(pr.child_id):
            yield ctx.unmet(
                Subject(SubjectKind.RESPONSIBILITY, pr.id, pr.child_id),
                f"Source not recorded for the parental responsibility of {who(scope.person(pr.person_id))}",
                ("source",),
            )


def check_sources(ctx: Context) -> Iterator[Unmet]:
    """Requirement 12.

    * In scope: live members' dates of birth and NHS numbers; current
      relationships touching a live member; live members' current addresses;
      current care arrangements; parental responsibility records of live members.
    * Satisfied by: a source recorded for the fact (said by, seen directly,
      birth registration, national demographics, another agency).
    * Not satisfied by: a fact with no source. Not yet asked (a known shortfall
      against the catalogue): the source of names, telephone numbers, email
      addresses and answers in words.
    """
    yield from _person_gaps(ctx)
    yield from _record_gaps(ctx)


RULES: tuple[Rule, ...] = (
    Rule(
        id="R12-sources",
        number=12,
        title="Source recorded for each key fact",
        severity=Severity.ROUTINE,
        applies_when="For every current date of birth, NHS number, relationship, address, care "
        "arrangement and parental responsibility record.",
        why_we_ask="Writing down where each detail came from tells colleagues how sure we can be "
        "of it, and who to go back to if it needs checking.",
        suggested_wording="(For the practitioner) Where did this come from: who told you, or did "
        "you see it on a document or another service's record?",
        fact="A source on the detail: said by whom, seen directly, birth registration, national "
        "demographics or another agency.",
        check=check_sources,
    ),
)
