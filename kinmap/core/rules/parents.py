"""Requirements about the child's parents (catalogue numbers 1 to 5).

The Child K review found services knew the mother well and the father hardly at
all. These rules ask the same of both birth parents, and of every adult in a
parental role, and are critical for babies under one (``critical_under_days``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import ParentalResponsibility, Person
from ..vocab import PRBasis
from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet, most_severe
from .facts import (
    FACT_BIRTH_FATHER_ABSENT,
    FACT_BIRTH_MOTHER_ABSENT,
    FACT_CONTACT_ARRANGEMENT,
    FACT_CURRENT_PARTNER,
    answered,
    describe_missing,
    says_none,
)
from .scope import names, who

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_BASIS_UNKNOWN = PRBasis.UNKNOWN
_CHILD = SubjectKind.CHILD
_CRITICAL = Severity.CRITICAL
_PERSON = SubjectKind.PERSON
_ROUTINE = Severity.ROUTINE

BABY_DAYS = {"critical_under_days": 365}


# -- 1 and 2: birth mother and birth father --------------------------------


def _absent_reason_gap(
    ctx: Context, child: Person, fact_key: str, noun: str, missing_key: str
) -> Unmet | None:
    """The gap for a child with no birth parent of this kind recorded, unless a
    reason is recorded with who recorded it and when."""
    severity = ctx.child_severity(child)
    child_name = who(child, "this child")
    fact = child.facts.get(fact_key)
    if fact is None or not fact.value.strip():
        return ctx.unmet(
            Subject(_CHILD, child.id),
            f"No {noun} recorded for {child_name}, and no reason given",
            (missing_key,),
            severity,
        )
    prov = fact.provenance
    missing = tuple(
        key
        for key, present in (
            ("recorded_by", prov is not None and bool(prov.recorded_by.strip())),
            ("recorded_at", prov is not None and prov.recorded_at is not None),
        )
        if not present
    )
    if not missing:
        return None
    return ctx.unmet(
        Subject(_CHILD, child.id),
        f"The reason no {noun} is recorded for {child_name} needs {describe_missing(missing).lower()}",
        missing,
        severity,
    )


def _birth_parent_gaps(
    ctx: Context, parent_of: Callable[[int], int | None], fact_key: str, noun: str, missing_key: str
) -> list[Unmet]:
    """Rules 1 and 2 share their shape: each child needs the birth parent (or a
    dated, signed reason there is none); each birth parent needs their details.
    A parent of several children has one gap, critical if any child is a baby."""
    out: list[Unmet] = []
    scope = ctx.scope
    days = ctx.int_param("critical_under_days")
    severity_of: dict[int, Severity] = {}
    first_child: dict[int, Person] = {}
    for child in scope.children:
        pid = parent_of(child.id)
        if pid is None:
            gap = _absent_reason_gap(ctx, child, fact_key, noun, missing_key)
            if gap is not None:
                out.append(gap)
        elif scope.network.is_member(pid):  # a parent who has died is still the parent
            first_child.setdefault(pid, child)
            severity_of[pid] = ctx.child_severity(child).at_least(severity_of.get(pid, _ROUTINE))
    for pid, severity in sorted(severity_of.items()):
        missing = scope.missing_core_details(pid)
        if not missing:
            continue
        if scope.gives_risky_care_to_baby(pid, days):
            severity = _CRITICAL
        person, child = scope.person(pid), first_child[pid]
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"{describe_missing(missing)} not recorded for "
                f"{who(person, f'the {noun} of ' + who(child, 'the child'))}",
                missing,
                severity,
            )
        )
    return out


def check_birth_mother(ctx: Context) -> list[Unmet]:
    """Requirement 1.

    * In scope: each in-scope child (born or unborn, alive, an index child of
      this network); and the birth mother of each, while a member of the
      network (a birth mother who has died is asked only her name).
    * Satisfied by: an ``NMTH`` relationship to the child, and the birth mother's
      full name, date of birth, a current address (a masked one counts) and a
      telephone number or email (a masked telephone counts); or, with no birth
      mother recorded, the reason in words with who recorded it and when.
    * Not satisfied by: a second mother or any other parent (``PRN``, adoptive,
      step): the birth mother is the person who gave birth; a reason without
      who recorded it or when.
    """
    out: list[Unmet] = []
    return _birth_parent_gaps(
        ctx, ctx.graph.birth_mother, FACT_BIRTH_MOTHER_ABSENT, "birth mother", "birth_mother"
    )
    return out


def check_birth_father(ctx: Context) -> list[Unmet]:
    """Requirement 2.

    * In scope: each in-scope child, whether or not the father lives with them;
      the birth father of each while a member of the network.
    * Satisfied by: an ``NFTH`` relationship to the child with the father's full
      name, date of birth, current address and telephone or email; or the reason
      no birth father is recorded, with who recorded it and when.
    * Not satisfied by: a stepfather, a partner or a legal parent who is not the
      birth father; a reason without its author or date.
    """
    out: list[Unmet] = []
    return _birth_parent_gaps(
        ctx, ctx.graph.birth_father, FACT_BIRTH_FATHER_ABSENT, "birth father", "birth_father"
    )
    return out


# -- 3: living arrangements ------------------------------------------------


def check_living_arrangements(ctx: Context) -> list[Unmet]:
    """A parent who is not recorded at the child's address needs a care
    arrangement with the child or their contact arrangement in words. One gap
    per parent, listing the children it concerns.

    * In scope: each current parent (birth, adoptive, step, foster, legal) of a
      born in-scope child who is a live member and is not recorded at the
      child's address. Not before the birth: a baby not yet born lives nowhere
      and has no contact or care to record (who will be around it is asked by
      requirements 2, 5, 6 and 10).
    * Satisfied by: a current residence at the child's household, a current care
      arrangement between the parent and the child, or the contact arrangement
      in words (including "no contact").
    * Not satisfied by: a relationship alone; a care arrangement that has ended.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    pending: dict[int, list[Person]] = {}
    for child in scope.children:
        if child.unborn:
            continue
        for pid in scope.parents(child.id):
            if not (scope.lives_with(pid, child.id) or scope.cares_for(pid, child.id)):
                pending.setdefault(pid, []).append(child)
    for pid, children in sorted(pending.items()):
        parent = scope.person(pid)
        if answered(parent, FACT_CONTACT_ARRANGEMENT):
            continue
        severity = most_severe(ctx.child_severity(c) for c in children)
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"Not recorded whether {who(parent, 'a parent')} lives with {names(children)}, "
                "or, if not, what contact and care they have",
                ("contact_arrangement",),
                severity,
            )
        )
    return out


# -- 4: parental responsibility --------------------------------------------


def _parental_roles(ctx: Context, child_id: int) -> list[int]:
    """The child's current parents; partners of a parent who live with the
    child; adults who live with the child and care for them (a kinship carer,
    say); and anyone alive with a parental responsibility record for the child
    running today (a special guardian recorded without a relationship), in
    that order, each once."""
    scope = ctx.scope
    parents = scope.parents(child_id)
    # loops, not comprehensions (a function and a frame each in Python 3.11)
    roles = dict.fromkeys(parents)
    for p in parents:
        for q in scope.partners(p):
            if q not in parents and scope.lives_with(q, child_id):
                roles[q] = None
    for c in scope.care_now:
        if (
            c.child_id == child_id
            and c.carer_id in scope.adult_ids
            and scope.lives_with(c.carer_id, child_id)
        ):
            roles[c.carer_id] = None
    for pr in scope.responsibility_of_child(child_id):
        if scope.is_live_member(pr.person_id) and pr.current_on(scope.today):
            roles[pr.person_id] = None
    return list(roles)


def check_parental_responsibility(ctx: Context) -> list[Unmet]:
    """Rule 4 reads the current state (:meth:`Scope.responsibility_now`).

    * In scope: each born in-scope child (no one holds parental responsibility
      for a baby before the birth), and each of the child's current parents
      (birth, adoptive, step, foster), each partner of a parent who lives with
      the child, each adult who lives with the child and cares for them, and
      anyone with a record for the child running today, whatever its basis
      (:func:`_parental_roles`).
    * Satisfied by a record current today with a basis other than "not known"
      (including "no parental responsibility"), or by records that have all
      ended (it was held and has ended: an adoption order, an order that
      expired), which say the adult holds none now.
    * Not satisfied by no record, or by a current record whose basis is "not known".
    * A care order (:class:`kinmap.core.model.CareOrder`) changes nothing here:
      the local authority it names shares parental responsibility with the
      parents (Children Act 1989 s33(3)), so it neither answers an adult's
      question nor ends their parental responsibility; the authority is not
      an adult of the network and is never asked. Its own record needs only
      its source (requirement 12).
    """
    out: list[Unmet] = []
    scope = ctx.scope
    for child in scope.children:
        if child.unborn:
            continue
        for pid in _parental_roles(ctx, child.id):
            every = scope.responsibility(pid, child.id)
            if not every:  # no record at all, so none current today
                state = "not recorded"
            else:
                records = scope.responsibility_now(pid, child.id)
                if _any_basis_known(records):
                    continue
                if not records and all(r.end is not None and r.end <= ctx.today for r in every):
                    continue
                state = "recorded as not known" if records else "not recorded"
            out.append(
                ctx.unmet(
                    Subject(_PERSON, pid, child.id),
                    f"Parental responsibility of {who(scope.person(pid), 'an adult in a parental role')} "
                    f"for {who(child, 'the child')} {state}",
                    ("parental_responsibility",),
                )
            )
    return out


def _any_basis_known(records: list[ParentalResponsibility]) -> bool:
    """Whether any of the records has a basis other than "not known" (a loop:
    in Python 3.11 any() over a generator makes a function and a frame)."""
    for r in records:  # noqa: SIM110 - a loop, see above
        if r.basis is not _BASIS_UNKNOWN:
            return True
    return False


# -- 5: current partners ---------------------------------------------------


def check_current_partner(ctx: Context) -> list[Unmet]:
    """Requirement 5.

    * In scope: each current parent (any kind) of an in-scope child who is a
      live member.
    * Satisfied by: a current partner relationship (married, living together or
      not) with someone alive, in this network or another; or "none" recorded.
    * Not satisfied by: a partner described in words but not recorded as a
      person, a former partner, or a partner who has died.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    severities: dict[int, Severity] = {}
    for child in scope.children:
        for pid in scope.parents(child.id):
            severity = ctx.child_severity(child)
            severities[pid] = severity.at_least(severities.get(pid, severity))
    for pid, severity in sorted(severities.items()):
        parent = scope.person(pid)
        if scope.has_current_partner(pid) or _says_no_partner(parent):
            continue
        name = who(parent, "a parent")
        detail = (
            f"A current partner of {name} is mentioned but not recorded as a person"
            if answered(parent, FACT_CURRENT_PARTNER)
            else f"Not recorded whether {name} has a current partner"
        )
        out.append(ctx.unmet(ctx.person_subject(pid), detail, ("current_partner",), severity))
    return out


def _says_no_partner(person: Person) -> bool:
    return says_none(person, FACT_CURRENT_PARTNER)


RULES: tuple[Rule, ...] = (
    Rule(
        id="R01-birth-mother",
        number=1,
        title="Birth mother's name, date of birth, address and contact details",
        severity=Severity.IMPORTANT,
        applies_when="For every child on the record, including unborn babies. Critical for babies "
        "under {critical_under_days} old.",
        why_we_ask="We ask every family for both parents' details, so that everyone who looks "
        "after the baby can be reached and offered the same support, and so that your records "
        "with other services match up.",
        suggested_wording="Can I check I have your full name, date of birth and address, and the "
        "best number to reach you on?",
        fact="The birth mother recorded as a person with full name, date of birth, a current "
        "address and a phone number or email. Where she cannot be recorded (for example after an "
        "adoption), the reason, with who recorded it and when.",
        check=check_birth_mother,
        params=BABY_DAYS,
    ),
    Rule(
        id="R02-birth-father",
        number=2,
        title="Birth father identified, with his details",
        severity=Severity.IMPORTANT,
        applies_when="For every child on the record, including unborn babies, whether or not the "
        "father lives with the child. Critical for babies under {critical_under_days} old.",
        why_we_ask="Dads matter to babies as much as mums do. We ask about the baby's dad in every "
        "family, whether or not he lives with you, so that he can be offered the same information "
        "and support with caring for a young baby.",
        suggested_wording="Can you tell me about the baby's dad: his name, his date of birth, "
        "where he lives and how we can get in touch with him?",
        fact="The birth father recorded as a person with full name, date of birth, a current "
        "address and a phone number or email; or the reason he is not recorded, with who "
        "recorded it and when.",
        check=check_birth_father,
        params=BABY_DAYS,
    ),
    Rule(
        id="R03-living-arrangements",
        number=3,
        title="Whether each parent lives with the child, and if not their contact and care",
        severity=Severity.IMPORTANT,
        applies_when="For every current parent (birth, adoptive, step or foster) not recorded at "
        "the child's address, once the child is born. Critical for babies under "
        "{critical_under_days} old.",
        why_we_ask="Many babies spend time in more than one home. Knowing where each parent lives "
        "and when the baby is with them helps us make sure everyone caring for the baby gets the "
        "same advice, wherever the baby is.",
        suggested_wording="Does [name] live with you and the baby? If not, when does [name] see "
        "the baby, and does the baby ever stay over?",
        fact="The parent recorded at the child's address, or a care arrangement between the "
        "parent and the child, or their contact arrangement in words (including 'no contact').",
        check=check_living_arrangements,
        params=BABY_DAYS,
    ),
    Rule(
        id="R04-parental-responsibility",
        number=4,
        title="Parental responsibility, with its basis, for every adult in a parental role",
        severity=Severity.IMPORTANT,
        applies_when="For every current parent (birth, adoptive, step or foster), every "
        "partner of a parent and every carer who lives with the child, and anyone with a "
        "parental responsibility record running today, once the child is born.",
        why_we_ask="Knowing who has parental responsibility tells us who to involve in decisions "
        "about the child's health and care, and who we can share information with.",
        suggested_wording="Are you both named on the birth certificate? Were you married when the "
        "baby was born? Has a court made any orders about the children?",
        fact="A parental responsibility record for the adult and the child, current today, with "
        "its basis, including 'no parental responsibility' (a basis of 'not known' leaves the gap "
        "open); or records that have all ended (an adoption order ended it, say).",
        check=check_parental_responsibility,
    ),
    Rule(
        id="R05-current-partner",
        number=5,
        title="Each parent's current partner, whether or not they live in the household",
        severity=Severity.IMPORTANT,
        applies_when="For every current parent. Critical for babies under {critical_under_days} old.",
        why_we_ask="A new partner often becomes an important part of a baby's life, whether or "
        "not they live in the same home. We ask every parent so that we can offer their partner "
        "the same information about caring for a baby.",
        suggested_wording="Are you seeing anyone at the moment? Does your partner spend time with the baby?",
        fact="The current partner recorded as a person with a partner relationship (married, "
        "living together or not), or 'none' recorded when the parent has no partner.",
        check=check_current_partner,
        params=BABY_DAYS,
    ),
)
