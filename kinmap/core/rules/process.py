"""Requirements about practice rather than the family (catalogue numbers 13,
14 and 16). They read the process inputs (:mod:`kinmap.core.rules.inputs`)."""

from __future__ import annotations

from .base import Context, Rule, Severity, Subject, SubjectKind, Unmet
from .facts import describe_missing

# Members of enumerations read in the checks, as module constants (reading
# a member, ``SubjectKind.PERSON`` say, in Python 3.11 costs about ten times
# reading a global: the class's attribute lookup goes the generic way).
_CRITICAL = Severity.CRITICAL
_DECLINE = SubjectKind.DECLINE
_GAP = SubjectKind.GAP
_SHARING = SubjectKind.SHARING

# -- 13: reluctance recorded properly --------------------------------------


def check_declines(ctx: Context) -> list[Unmet]:
    """Each decline says who declined, the reason they gave, the practitioner's
    view and who recorded it (what and when are always recorded).

    * In scope: every decline recorded for the network.
    * Satisfied by: who declined, the reason they gave, the practitioner's view
      and who recorded it (what was asked and when are always on a decline).
    * Not satisfied by: any of them blank.
    """
    out: list[Unmet] = []
    for d in sorted(ctx.declines, key=lambda d: d.id):
        missing = tuple(
            key
            for key, present in (
                ("declined_by", d.person_id is not None),
                ("reason", bool(d.reason.strip())),
                ("practitioner_view", bool(d.practitioner_view.strip())),
                ("recorded_by", bool(d.recorded_by.strip())),
            )
            if not present
        )
        if missing:
            out.append(
                ctx.unmet(
                    Subject(_DECLINE, d.id),
                    f"The decline on {d.declined_on:%-d %B %Y} needs {describe_missing(missing).lower()}",
                    missing,
                )
            )
    return out


# -- 14: critical gaps left open after repeated asking ---------------------


def check_agency_request(ctx: Context) -> list[Unmet]:
    """A critical gap prompted ``min_times_prompted`` times or more, with no
    request to another agency considered.

    * In scope: every critical gap found by the other rules.
    * Satisfied by: a request to another agency considered and logged for the
      gap, or the gap asked fewer than ``min_times_prompted`` times.
    * Not satisfied by: further prompting alone.

    The escalation is on asking, not on age; the age the unmet requirement
    states ("since ...") is the gap's ``open_since`` (the day its
    requirement first applied: the birth, the day a carer started, the day ICON
    was due), or, where that is not known, the day the gap was raised
    (``first_opened``), never the day its data happened to be loaded.
    """
    out: list[Unmet] = []
    histories = ctx.gap_history
    if not histories:  # no gap asked about yet (a new family): nothing to escalate
        return out
    threshold = ctx.int_param("min_times_prompted")
    for gap in ctx.prior:
        if gap.severity is not _CRITICAL:
            continue
        history = histories.get(gap.key)
        if history is None or history.request_considered or history.times_prompted < threshold:
            continue
        opened = history.open_since or history.first_opened
        since = f" since {opened:%-d %B %Y}" if opened else ""
        out.append(
            ctx.unmet(
                Subject(_GAP, gap.key),
                f"Still not known after asking {history.times_prompted} times{since}: {gap.detail}",
                ("information_request",),
            )
        )
    return out


# -- 16: sharing decisions -------------------------------------------------


def check_sharing_decisions(ctx: Context) -> list[Unmet]:
    """Requirement 16.

    * In scope: every decision to share or not share recorded for the network.
    * Satisfied by: a rationale and a lawful basis, both in words.
    * Not satisfied by: either left blank.
    """
    out: list[Unmet] = []
    for d in sorted(ctx.sharing_decisions, key=lambda d: d.id):
        missing = tuple(
            key
            for key, present in (
                ("rationale", bool(d.rationale.strip())),
                ("lawful_basis", bool(d.lawful_basis.strip())),
            )
            if not present
        )
        if missing:
            what = "share" if d.shared else "not share"
            out.append(
                ctx.unmet(
                    Subject(_SHARING, d.id),
                    f"The decision on {d.decided_on:%-d %B %Y} to {what} information needs "
                    f"{describe_missing(missing).lower()}",
                    missing,
                )
            )
    return out


RULES: tuple[Rule, ...] = (
    Rule(
        id="R13-reluctance",
        number=13,
        title="Reluctance to share recorded with who, what, when, the reason and the practitioner's view",
        severity=Severity.IMPORTANT,
        applies_when="For every question someone has declined to answer.",
        why_we_ask="It's fine not to want to answer every question. Noting why, and what we "
        "made of it, helps the next person who visits to come back to it gently and understand "
        "what might be worrying you.",
        suggested_wording="That's fine. Can I ask what makes you prefer not to say? It might be "
        "something I can help with.",
        fact="On the decline: who declined, the reason they gave, the practitioner's view and "
        "who recorded it.",
        check=check_declines,
    ),
    Rule(
        id="R14-agency-request",
        number=14,
        title="Request to another agency considered for critical gaps left open",
        severity=Severity.CRITICAL,
        applies_when="For every critical gap still open after it has been asked about {min_times_prompted}.",
        why_we_ask="When something important about a baby's care is still not known, another "
        "service may already know it. We may ask them, so that the baby's safety never rests on "
        "a single conversation, and we will tell you when we do.",
        suggested_wording="We still don't know [the missing detail]. Another service that works "
        "with your family may know it. Is there anything you would like to tell me first?",
        fact="A request to another agency for the missing detail, made or considered and "
        "decided against, logged against the gap.",
        check=check_agency_request,
        params={"min_times_prompted": 3},
        after_others=True,
    ),
    Rule(
        id="R16-sharing-decisions",
        number=16,
        title="Every decision to share or not share, with its rationale and lawful basis",
        severity=Severity.IMPORTANT,
        applies_when="For every decision to share, or not to share, information about the family.",
        why_we_ask="We only share information when it is right and lawful to do so. Writing "
        "down every decision and the reason for it keeps us accountable to you.",
        suggested_wording="(For the practitioner) Why did you share this, or decide not to, and "
        "under what lawful basis?",
        fact="The decision's rationale and lawful basis.",
        check=check_sharing_decisions,
    ),
)
