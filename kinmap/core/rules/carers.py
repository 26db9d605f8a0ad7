"""Requirement 10: every carer's details and the details of their care.

A carer is anyone with a current care arrangement for a child on the record,
resident or not, overnight or by day. Each missing detail is asked once: a
carer who is the child's birth mother or father has their own details asked
under rules 1 and 2 (while those rules are switched on), so this rule asks
only about the arrangement.
"""

from __future__ import annotations

from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet
from .facts import describe_missing
from .scope import who

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CARE = SubjectKind.CARE


def _details_asked_elsewhere(ctx: Context) -> set[int]:
    """Birth parents whose own details rules 1 and 2 already ask for."""
    graph = ctx.graph
    lookups = [
        find
        for rule_id, find in (
            ("R01-birth-mother", graph.birth_mother),
            ("R02-birth-father", graph.birth_father),
        )
        if rule_id in ctx.enabled
    ]
    out: set[int] = set()
    for child in ctx.scope.children:
        for find in lookups:
            pid = find(child.id)
            if pid is not None:
                out.add(pid)
    return out


def check_carers(ctx: Context) -> list[Unmet]:
    """One gap per arrangement for the carer's relationship to the child and
    how often the care happens; one gap per carer for their own details.
    Critical when the care is overnight or unsupervised and the child is a baby.
    (Place, overnight and supervision always have a value on an arrangement.)

    * In scope: each current care arrangement between live members (resident
      or not, overnight or day) and its carer; a birth parent's own details are
      asked under requirements 1 and 2 instead while those are switched on.
    * Satisfied by: the carer's relationship to the child recorded or derivable,
      how often the care happens, and the carer's full name, date of birth,
      current address and telephone or email (place, overnight and supervision
      are always recorded on an arrangement).
    * Not satisfied by: a care arrangement without its frequency; a carer with
      no recorded or derivable relationship to the child.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    days = ctx.int_param("critical_under_days")
    carer_severity: dict[int, Severity] = {}
    for care in scope.care_now:
        child = scope.person(care.child_id)
        risky = (care.overnight or not care.supervised) and scope.is_baby(child, days)
        severity = ctx.severity_if_critical(risky)
        carer_severity[care.carer_id] = severity.at_least(carer_severity.get(care.carer_id, severity))
        missing = tuple(
            key
            for key, present in (
                ("relationship", scope.related_to_child(care.carer_id, care.child_id)),
                ("frequency", bool(care.frequency.strip())),
            )
            if not present
        )
        if missing:
            carer = scope.person(care.carer_id)
            out.append(
                ctx.unmet(
                    Subject(_CARE, care.id, care.child_id),
                    f"{describe_missing(missing)} not recorded for the care {who(carer, 'a carer')} "
                    f"gives {who(child, 'the child')}",
                    missing,
                    severity,
                )
            )
    if not carer_severity:  # no care (most families): no carer to ask about
        return out
    asked_elsewhere = _details_asked_elsewhere(ctx)
    for pid, severity in sorted(carer_severity.items()):
        if pid in asked_elsewhere:
            continue
        missing = scope.missing_core_details(pid)
        if missing:
            out.append(
                ctx.unmet(
                    ctx.person_subject(pid),
                    f"{describe_missing(missing)} not recorded for {who(scope.person(pid), 'a carer')}",
                    missing,
                    severity,
                )
            )
    return out


RULES: tuple[Rule, ...] = (
    Rule(
        id="R10-carer-details",
        number=10,
        title="Every carer's details, relationship to the child, and the care they give",
        severity=Severity.IMPORTANT,
        applies_when="For everyone with a current care arrangement for a child on the record, "
        "living with the child or not, overnight or by day. Critical when the care is overnight "
        "or unsupervised and the child is under {critical_under_days} old.",
        why_we_ask="Anyone who looks after the baby, for an afternoon or overnight, should be "
        "able to get the same advice and support as the baby's parents. We need their details so "
        "that we can reach them.",
        suggested_wording="Who else looks after the baby, even for a short time? Where does that "
        "happen, how often, and does the baby ever stay overnight?",
        fact="The carer's full name, date of birth, current address and phone number or email, "
        "their relationship to the child, and how often the care happens.",
        check=check_carers,
        params={"critical_under_days": 365},
    ),
)
