"""A birth parent who is a child (a local requirement, number 22).

A mother or father under 18 when their baby is born is a child too: they need
someone who cares for them, and their own safety may need a referral. They are
not asked the adult questions (:mod:`kinmap.core.rules.scope`: someone known to
be under 18 is never an adult); this requirement asks about them instead.

* **In scope**: each birth parent (mother or father) of an in-scope child who
  is a live member, whose date of birth is recorded, who was under 18 at the
  child's birth (for an unborn child, on the expected date) and is still under
  18 today. A parent whose date of birth is not known is not in scope (they are
  asked the adult questions instead); a parent who has turned 18 leaves scope.
* **Satisfied by** two answers recorded on the young parent, both not blank:
  who cares for the young parent (``young-parent-carer``: their own parent,
  a foster carer, a mother-and-baby placement...) and whether a safeguarding
  referral about the young parent was considered, with the outcome
  (``safeguarding-referral``). Nothing else satisfies it: a care arrangement
  for the baby or the young parent's own parents recorded as relationships do
  not say who looks after the young parent now.
* **Not satisfied** while either answer is missing; the gap lists what is.
* **Severity**: important; critical for a parent who was under 16 at the birth
  (``critical_under_years``), when a referral must always be considered.
"""

from __future__ import annotations

from ..model import Person
from .base import Context, Rule, Severity, Unmet
from .facts import FACT_SAFEGUARDING_REFERRAL, FACT_YOUNG_PARENT_CARER, answered
from .scope import names, who

# Under this age at the birth a parent is a child (Children Act 1989, s105).
YOUNG_PARENT_UNDER_YEARS = 18


def age_at_birth(parent: Person, child: Person) -> int | None:
    """Whole years of age of ``parent`` on ``child``'s date of birth (the
    expected date for an unborn child); None when either date is not known."""
    return None if child.birth_date is None else parent.age_in_years(child.birth_date)


def young_parents(ctx: Context) -> dict[int, tuple[int, list[Person]]]:
    """Each young birth parent in scope (see the module docstring): their id,
    with their youngest age at a birth and the children concerned."""
    scope, graph, today = ctx.scope, ctx.graph, ctx.today
    out: dict[int, tuple[int, list[Person]]] = {}
    for child in scope.children:
        for pid in (graph.birth_mother(child.id), graph.birth_father(child.id)):
            if pid is None or not scope.is_live_member(pid):
                continue
            parent = scope.person(pid)
            at_birth = age_at_birth(parent, child)
            now = parent.age_in_years(today)
            if at_birth is None or now is None or not _under(at_birth) or not _under(now):
                continue
            youngest, children = out.get(pid, (at_birth, []))
            out[pid] = (min(youngest, at_birth), [*children, child])
    return out


def _under(years: int) -> bool:
    return years < YOUNG_PARENT_UNDER_YEARS


def check_young_parent(ctx: Context) -> list[Unmet]:
    """Requirement 22: in scope, satisfied and not as the module docstring says."""
    out: list[Unmet] = []
    scope = ctx.scope
    critical_under = ctx.int_param("critical_under_years")
    for pid, (youngest, children) in sorted(young_parents(ctx).items()):
        person = scope.person(pid)
        missing = tuple(
            key
            for key, fact in (
                ("young_parent_carer", FACT_YOUNG_PARENT_CARER),
                ("safeguarding_referral", FACT_SAFEGUARDING_REFERRAL),
            )
            if not answered(person, fact)
        )
        if not missing:
            continue
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"{who(person, 'A young parent')} was {youngest} at the birth of {names(children)}: "
                "not recorded who cares for them and whether a safeguarding referral was considered",
                missing,
                ctx.severity_if_critical(youngest < critical_under),
            )
        )
    return out


RULES: tuple[Rule, ...] = (
    Rule(
        id="R22-young-parent",
        number=22,
        title="A parent who is under 18: who cares for them, and whether a safeguarding referral "
        "was considered",
        severity=Severity.IMPORTANT,
        applies_when="For every birth parent of a child on the record who was under 18 at the birth "
        "(or will be, for an unborn baby) and is still under 18. Critical for a parent younger than "
        "{critical_under_years} at the birth.",
        why_we_ask="A young mum or dad is still growing up themselves and deserves support of "
        "their own as well as help with the baby. Knowing who looks after you means we can make "
        "sure you both get what you need.",
        suggested_wording="Who looks after you at the moment, and who do you live with? Has anyone "
        "talked with you about getting extra support for you, not just for the baby?",
        fact="Who cares for the young parent, in words ('young-parent-carer'); and whether a "
        "safeguarding referral about them was considered, with the outcome ('safeguarding-referral').",
        check=check_young_parent,
        params={"critical_under_years": 16},
    ),
)
