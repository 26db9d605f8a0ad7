"""Requirements about the adults around the child (catalogue numbers 8, 9, 11
and 15): their other children, other names, whether anyone has met them, and
what adult services know them."""

from __future__ import annotations

from ..elsewhere import KnownElsewhere, known_elsewhere
from .base import Context, Rule, Severity, Unmet
from .facts import (
    FACT_ADULT_SERVICES,
    FACT_AGENCY_INVOLVEMENT,
    FACT_OTHER_CHILDREN,
    FACT_OTHER_NAMES,
    answered,
    says_none,
)
from .scope import who

# -- 8: other children and agency involvement ------------------------------


def _parents_and_partners(ctx: Context, known: KnownElsewhere) -> dict[int, list[int]]:
    """Each current parent of an in-scope child, each of their current
    partners, and each current carer of an in-scope child who is known in
    another family network as a parent, a partner or a carer there (the
    discovery of :func:`kinmap.core.elsewhere.known_elsewhere`), with the
    in-scope children they are asked about."""
    scope = ctx.scope
    out: dict[int, list[int]] = {}
    # loops, with no helper function made each call (asked for every family)
    for child in scope.children:
        child_id = child.id
        for p in scope.parents(child_id):
            kids = out.setdefault(p, [])
            if child_id not in kids:
                kids.append(child_id)
            for pid in scope.partners(p):
                kids = out.setdefault(pid, [])
                if child_id not in kids:
                    kids.append(child_id)
    if scope.care_now:  # between live members
        in_scope = {child.id for child in scope.children}
        for c in scope.care_now:
            if c.child_id in in_scope and (c.carer_id in out or c.carer_id in known):
                kids = out.setdefault(c.carer_id, [])
                if c.child_id not in kids:
                    kids.append(c.child_id)
    return out


def _has_recorded_other_children(ctx: Context, person_id: int) -> bool:
    """Children of the person recorded in this network besides its index
    children (an index child from another of their relationships is not an
    "other" child: the question is about the children the network does not
    already hold). A child recorded only in another family network does not
    count: see :func:`kinmap.core.elsewhere.known_elsewhere`."""
    network = ctx.scope.network  # a plain attribute (Context.network is a property)
    index, outside = network.index_child_ids, network.outside_ids
    # a loop rather than any() over a generator (in Python 3.11 each makes a
    # function and a frame: asked for every parent and partner)
    for c in ctx.graph.children(person_id):  # noqa: SIM110 - a loop, see above
        if c not in index and c not in outside:
            return True
    return False


def check_other_children(ctx: Context) -> list[Unmet]:
    """Requirement 8. First ask about other children; where there are some, ask
    about any agency involvement with them.

    * In scope: each current parent (any kind) of an in-scope child who is a
      live member, and each of their current partners who is a live member;
      and a current carer of an in-scope child who is known in another family
      network as a parent, a partner or a carer there (the same person on the
      record: linked, or merged), asked only then.
    * Satisfied by: a child of theirs recorded other than this network's index
      children, or the answer in words (including "none"); and then, unless
      the answer is "none", the agency involvement answered (including "none known").
    * Not satisfied by: the index children themselves, even from another of
      their relationships; a child recorded only in another family network
      (found through the person being the same record there): then the prompt
      says so, until the child is added here or the answer is recorded; an
      answer with no agency involvement where there are other children.
    * Someone known in another family network as a partner or a carer there
      (and not as a parent) is asked about the children they have, live with or
      look after: the prompt says so until the answer is recorded in words
      (their own children recorded here do not answer it).
    """
    out: list[Unmet] = []
    scope = ctx.scope
    known = known_elsewhere(ctx.graph)
    elsewhere = bool(known.children or known.partners or known.cared_for)
    rule_id, severity = ctx.rule.id, ctx.rule.severity
    for pid, _child_ids in sorted(_parents_and_partners(ctx, known).items()):
        person = scope.person(pid)
        name = who(person, "a parent or partner")
        recorded = _has_recorded_other_children(ctx, pid)
        # answered(person, FACT_OTHER_CHILDREN), asked once (every branch below may)
        fact = person.facts.get(FACT_OTHER_CHILDREN)
        told = fact is not None and bool(fact.value.strip())
        if elsewhere and pid in known.children and not recorded and not told:
            detail = (
                f"{name} is recorded as the parent of a child in another family network: add the child "
                "to this family network, or record their other children here, or why not"
            )
        elif elsewhere and known.as_partner_or_carer(pid) and not told:
            as_what = "the partner of someone" if pid in known.partners else "a carer of a child"
            detail = (
                f"{name} is recorded as {as_what} in another family network: record here the children "
                "they have, live with or look after, or why not"
            )
        elif not recorded and not told:
            detail = f"Not recorded whether {name} has other children, including any who live elsewhere"
        elif (recorded or not says_none(person, FACT_OTHER_CHILDREN)) and not answered(
            person, FACT_AGENCY_INVOLVEMENT
        ):
            out.append(
                Unmet(
                    rule_id,
                    ctx.person_subject(pid),
                    severity,
                    f"Not recorded whether any agency is involved with the other children of {name}",
                    _AGENCY_INVOLVEMENT,
                )
            )
            continue
        else:
            continue
        out.append(Unmet(rule_id, ctx.person_subject(pid), severity, detail, _OTHER_CHILDREN))
    return out


_OTHER_CHILDREN = ("other_children",)
_AGENCY_INVOLVEMENT = ("agency_involvement",)


# -- 9: previous names and aliases ----------------------------------------


def check_other_names(ctx: Context) -> list[Unmet]:
    """Requirement 9.

    * In scope: every adult (:mod:`kinmap.core.rules.scope`): 18 or over, or of
      unknown age with a parent, partner or carer role or living with the
      child; never someone known to be under 18, nor an index child.
    * Satisfied by: a previous name or alias recorded, or the answer in words
      (including "none").
    * Not satisfied by: a blank answer.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    for pid in scope.adults:
        person = scope.person(pid)
        if person.other_names or answered(person, FACT_OTHER_NAMES):
            continue
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"Not yet asked whether {who(person)} has been known by any other name",
                ("other_names",),
            )
        )
    return out


# -- 11: seen or spoken to directly ---------------------------------------


def check_seen_directly(ctx: Context) -> list[Unmet]:
    """An adult only ever reported by others. Critical for an adult who gives a
    baby overnight or unsupervised care: nobody has met the person the baby is
    left with.

    * In scope: every adult (as for requirement 9).
    * Satisfied by: the date a practitioner last saw or spoke to them directly.
    * Not satisfied by: information about them given by others, however detailed.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    days = ctx.int_param("critical_under_days")
    for pid in scope.adults:
        person = scope.person(pid)
        if person.seen_directly_on is not None:
            continue
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"{who(person)} has only been reported by others, not seen or spoken to directly",
                ("seen_directly_on",),
                ctx.severity_if_critical(scope.gives_risky_care_to_baby(pid, days)),
            )
        )
    return out


# -- 15: adult services ----------------------------------------------------


def check_adult_services(ctx: Context) -> list[Unmet]:
    """Requirement 15.

    * In scope: every adult (as for requirement 9).
    * Satisfied by: the answer in words about mental health, substance misuse,
      probation or domestic abuse services (including "none known").
    * Not satisfied by: a blank answer.
    """
    out: list[Unmet] = []
    scope = ctx.scope
    for pid in scope.adults:
        person = scope.person(pid)
        if answered(person, FACT_ADULT_SERVICES):
            continue
        out.append(
            ctx.unmet(
                ctx.person_subject(pid),
                f"Not yet asked whether adult services know {who(person)}",
                ("adult_services",),
            )
        )
    return out


RULES: tuple[Rule, ...] = (
    Rule(
        id="R08-other-children",
        number=8,
        title="Each parent's and partner's other children, and any agency involvement",
        severity=Severity.IMPORTANT,
        applies_when="For every current parent of a child on the record and each of their "
        "current partners, whether or not they live with the child; and for a carer of the child "
        "who is known in another family network as a parent, a partner or a carer there.",
        why_we_ask="Brothers and sisters, including those who live somewhere else, are part of a "
        "child's family. Knowing about them, and about any services already helping them, means "
        "you don't have to tell your story twice and services can work together.",
        suggested_wording="Do you have any other children, including any who live with someone "
        "else? Does any service work with them, like a social worker or family support?",
        fact="The adult's other children recorded as people, described in words, or 'none'; and "
        "where there are other children, any agency involvement with them ('none known' if none).",
        check=check_other_children,
    ),
    Rule(
        id="R09-other-names",
        number=9,
        title="Previous names and aliases",
        severity=Severity.IMPORTANT,
        applies_when="For every adult: anyone 18 or over, and anyone with a parent, partner or "
        "carer role whatever their age.",
        why_we_ask="Many people have been known by more than one name, for example before "
        "marriage. Knowing every name helps us find the right records and not mix people up.",
        suggested_wording="Have you ever been known by any other name, such as a previous surname "
        "or a name you use day to day?",
        fact="Previous names and aliases recorded, or 'none' recorded.",
        check=check_other_names,
    ),
    Rule(
        id="R11-seen-directly",
        number=11,
        title="Seen or spoken to directly by a practitioner",
        severity=Severity.IMPORTANT,
        applies_when="For every adult. Critical for an adult who gives a baby under "
        "{critical_under_days} old overnight or unsupervised care.",
        why_we_ask="We like to meet or speak to everyone who is important in a baby's life, not "
        "just hear about them, so that they can ask their own questions and get support "
        "first-hand.",
        suggested_wording="Would [name] be able to join us next time, or could I give them a call?",
        fact="The date a practitioner last saw or spoke to the adult directly.",
        check=check_seen_directly,
        params={"critical_under_days": 365},
    ),
    Rule(
        id="R15-adult-services",
        number=15,
        title="Involvement of adult services",
        severity=Severity.IMPORTANT,
        applies_when="For every adult.",
        why_we_ask="Lots of parents get help from services for adults, such as mental health or "
        "drug and alcohol services. Knowing who else is helping means we can all work together "
        "and the support you get is joined up.",
        suggested_wording="Are you getting support from any other services at the moment, like "
        "mental health, drug or alcohol services, probation or domestic abuse support?",
        fact="What is known about the adult's involvement with mental health, substance misuse, "
        "probation or domestic abuse services, or 'none known'.",
        check=check_adult_services,
    ),
)
