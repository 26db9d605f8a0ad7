"""Requirements about who lives with the child and who is around them
(catalogue numbers 6 and 7)."""

from __future__ import annotations

from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet
from .facts import FACT_VISITORS, answered
from .scope import who

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CHILD = SubjectKind.CHILD
_HOUSEHOLD = SubjectKind.HOUSEHOLD

# -- 6: household roster reconfirmed at each contact ----------------------


def _household_words(ctx: Context, household_id: int) -> str:
    """How a detail names a household: never a protected (masked) address."""
    household = ctx.scope.network.households.get(household_id)
    if household is None or household.masked:
        return "the child's home"
    return household.address or "the child's home"


def check_household_roster(ctx: Context) -> list[Unmet]:
    """Every household an in-scope child lives in needs its roster confirmed on
    or after the latest contact; a child with no current address has no
    household to confirm, which is itself the gap.

    * In scope: every household an in-scope child lives in today, and an
      in-scope child with no current address (for an unborn child: where the
      baby will live, which is asked before the birth).
    * Satisfied by: the roster confirmed (or "no change" recorded) on or after
      the latest contact.
    * Not satisfied by: a confirmation before the latest contact; residences
      recorded without the roster being confirmed.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    households: set[int] = set()
    for child in scope.children:
        mine = scope.households_of(child.id)
        if not mine:
            out.append(
                ctx.unmet(
                    Subject(_CHILD, child.id),
                    f"No current address recorded for {who(child, 'the child')}, so nobody can be "
                    "confirmed as living with them",
                    ("address",),
                )
            )
        households |= mine
    last_contact = ctx.last_contact_on
    for hid in sorted(households):
        confirmed = ctx.last_roster_confirmed.get(hid)
        if confirmed is None:
            detail = f"Who lives at {_household_words(ctx, hid)} has never been confirmed"
        elif last_contact is not None and last_contact > confirmed:
            detail = (
                f"Who lives at {_household_words(ctx, hid)} was not reconfirmed at the contact on "
                f"{last_contact:%-d %B %Y} (last confirmed {confirmed:%-d %B %Y})"
            )
        else:
            continue
        out.append(ctx.unmet(Subject(_HOUSEHOLD, hid), detail, ("roster_confirmed",)))
    return out


# -- 7: regular visitors and significant others ---------------------------


def check_visitors(ctx: Context) -> list[Unmet]:
    """Requirement 7.

    * In scope: each in-scope child (born or unborn).
    * Satisfied by: the answer in words (including "none"), or a current social
      relationship (friend, regular visitor, professional carer) between the
      child or anyone living with them and someone who does not live with
      them: a visitor comes from elsewhere.
    * Not satisfied by: relatives and partners (asked under other
      requirements); a social relationship between two people of the same
      household (a lodger recorded as the mother's friend is not a visitor,
      and it does not say the family was asked).
    """
    out: list[Unmet] = []
    scope = ctx.scope
    for child in scope.children:
        if answered(child, FACT_VISITORS):
            continue
        circle = {child.id}
        for hid in scope.households_of(child.id):
            circle |= scope.residents(hid)
        if any(a in circle and b not in circle for a, b in scope.social_pairs):
            continue
        out.append(
            ctx.unmet(
                Subject(_CHILD, child.id),
                "Regular visitors and other important people not yet asked about for "
                f"{who(child, 'the child')}",
                ("regular_visitors",),
            )
        )
    return out


RULES: tuple[Rule, ...] = (
    Rule(
        id="R06-household-roster",
        number=6,
        title="Household roster reconfirmed at each contact",
        severity=Severity.IMPORTANT,
        applies_when="For every home a child on the record lives in, at every contact; and for "
        "a child with no current address.",
        why_we_ask="Households change, and who lives with a baby matters for the support we "
        "offer. We check at every visit so that our record stays right and nobody is missed.",
        suggested_wording="Is anyone new living with you, or has anyone moved out, since we last spoke?",
        fact="The household's roster confirmed (or 'no change' recorded) on or after the date of "
        "the latest contact; for a child with no address, the child's current address.",
        check=check_household_roster,
    ),
    Rule(
        id="R07-visitors",
        number=7,
        title="Regular visitors and significant others",
        severity=Severity.ROUTINE,
        applies_when="For every child on the record.",
        why_we_ask="The people who call round often, like grandparents, friends and neighbours, "
        "are often a real help to new parents. Knowing who they are helps us think about who "
        "else might like advice about the baby.",
        suggested_wording="Who else is around a lot: anyone who visits regularly, helps out or "
        "sometimes stays over?",
        fact="A friend or regular visitor recorded with a relationship to the child or to someone "
        "who lives with the child, or a note of who visits ('none' if nobody does).",
        check=check_visitors,
    ),
)
